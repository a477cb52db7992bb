using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation;

public class PairEncoderTests
{
    [Fact]
    public void Splits_the_whole_encoding_at_the_context_length_with_bos()
    {
        var tokenizer = new WordTokenizer();
        var request = new PairEncoder(tokenizer).Encode("Question: why?\nAnswer:", " Because");
        var whole = tokenizer.Encode("Question: why?\nAnswer: Because", addBos: true);
        Assert.Equal(tokenizer.BosId, request.Context[0]);
        Assert.Equal(whole.Take(request.Context.Count), request.Context);
        Assert.Equal(whole.Skip(request.Context.Count), request.Continuation);
        Assert.Equal([tokenizer.TokenToId(" Because")!.Value], request.Continuation);
    }

    [Fact]
    public void Trailing_whitespace_of_the_context_moves_to_the_continuation()
    {
        var tokenizer = new WordTokenizer();
        var request = new PairEncoder(tokenizer).Encode("The sky is \n", "blue");
        Assert.Equal(tokenizer.Encode("The sky is", addBos: true), request.Context);
        Assert.Equal([tokenizer.TokenToId(" \nblue")!.Value], request.Continuation);
    }

    [Fact]
    public void Without_bos_the_context_starts_with_text()
    {
        var tokenizer = new WordTokenizer();
        var request = new PairEncoder(tokenizer, addBos: false).Encode("a b", " c");
        Assert.Equal(tokenizer.Encode("a b"), request.Context);
    }

    [Fact]
    public void Empty_context_becomes_the_bos_prefix()
    {
        var tokenizer = new WordTokenizer();
        var request = new PairEncoder(tokenizer).Encode("", "hello world");
        Assert.Equal([tokenizer.BosId], request.Context);
        Assert.Equal(tokenizer.Encode("hello world"), request.Continuation);
    }

    [Fact]
    public void A_continuation_merged_into_the_context_token_is_an_error()
    {
        // "ab" + "c" encodes as one word, so the continuation gets no tokens of its own.
        var e = Assert.Throws<EvaluationException>(() => new PairEncoder(new WordTokenizer()).Encode("ab", "c"));
        Assert.Contains("no tokens", e.Message);
    }
}
