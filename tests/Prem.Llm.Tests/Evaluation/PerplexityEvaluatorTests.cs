using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation;

public class PerplexityEvaluatorTests
{
    [Fact]
    public void Text_perplexity_uses_the_rolling_loglikelihood_of_each_document()
    {
        using var model = new TinyCausalLm(maxLength: 6);
        var tokenizer = new WordTokenizer();
        string[] docs = ["once upon a time there was a tiny model that", "it scored  words"];
        var scorer = new CausalLmScorer(model.Forward, model.MaxLength);
        var result = PerplexityEvaluator.EvaluateTexts(scorer, tokenizer, docs);
        double expected = docs.Sum(d => RollingLogLikelihood.Windows(tokenizer.Encode(d), 1, 6).Sum(w => ScorerReference.Direct(model, w).LogLikelihood));
        Assert.Equal(expected, result.LogLikelihood, 1e-4);
        Assert.Equal(10 + 3, result.Tokens);
        Assert.Equal(10 + 3, result.Words);
        Assert.Equal(docs.Sum(d => d.Length), result.Bytes);
    }

    [Fact]
    public void File_and_token_entry_points_agree()
    {
        using var model = new TinyCausalLm(maxLength: 6);
        var tokenizer = new WordTokenizer();
        string path = TestData.TempFile();
        File.WriteAllText(path, "the cat sat on the mat and then the dog sat too");
        var scorer = new PrefixReuseScorer(model);
        var fromFile = PerplexityEvaluator.EvaluateFile(scorer, tokenizer, path, stride: 2);
        var fromTokens = PerplexityEvaluator.EvaluateTokens(scorer, tokenizer.Encode(File.ReadAllText(path)), tokenizer.BosId, bytes: 47, stride: 2);
        File.Delete(path);
        Assert.Equal(fromTokens.LogLikelihood, fromFile.LogLikelihood, 1e-9);
        Assert.Equal(fromTokens.BitsPerByte, fromFile.BitsPerByte, 1e-9);
        Assert.Throws<EvaluationException>(() => PerplexityEvaluator.EvaluateFile(scorer, tokenizer, path));
    }
}
