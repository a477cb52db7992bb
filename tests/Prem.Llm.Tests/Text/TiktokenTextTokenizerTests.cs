using Microsoft.ML.Tokenizers;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class TiktokenTextTokenizerTests
{
    [Fact]
    public void Llama3_MatchesAllGoldenRows()
    {
        var rows = TextTestData.Golden("llama3_golden.jsonl");
        Assert.Equal(422, rows.Count);
        // The reference (llama3-tokenizer-js) turns special-token strings into their ids, as HF does: that is
        // EncodeWithSpecialTokens. Plain Encode keeps them as text, so it differs exactly on those rows.
        var bad = rows.Where(r => !TextTestData.Llama3.EncodeWithSpecialTokens(r.Text).SequenceEqual(r.Ids)).Select(r => r.Id).Take(5).ToList();
        Assert.True(bad.Count == 0, "mismatched rows: " + string.Join(",", bad));
        var plainDiffers = rows.Where(r => !TextTestData.Llama3.Encode(r.Text).SequenceEqual(r.Ids)).Select(r => r.Id);
        Assert.Equal([167, 168], plainDiffers);
    }

    [Fact]
    public void Decode_RoundTripsGoldenText()
    {
        foreach (var (_, text, ids) in TextTestData.Golden("llama3_golden.jsonl"))
            Assert.Equal(text, TextTestData.Llama3.Decode(ids, skipSpecialTokens: false));
    }

    [Fact]
    public void SpecialIds_AndInjectionStaysText()
    {
        var tok = TextTestData.Llama3;
        Assert.Equal((128000, 128001, 128256), (tok.BosId, tok.EosId, tok.VocabSize));
        Assert.Equal(128009, tok.TokenToId("<|eot_id|>"));
        var ids = tok.Encode("a<|eot_id|>b");
        Assert.DoesNotContain(ids, id => id >= 128000);
        Assert.Equal("a<|eot_id|>b", tok.Decode(ids));
        Assert.Equal([128009], tok.EncodeWithSpecialTokens("<|eot_id|>"));
    }

    [Fact]
    public void TokenToId_OrdinaryToken()
    {
        Assert.Equal(791, TextTestData.Llama3.TokenToId("The"));
        Assert.Equal(TextTestData.Llama3.Encode(" quick").Single(), TextTestData.Llama3.TokenToId(" quick"));
    }

    [Fact]
    public void BadRankFile_ThrowsWithLine()
    {
        byte[] file = "IQ== 0\nIg== 5\n"u8.ToArray();
        var e = Assert.Throws<TextDataException>(() => new TiktokenTextTokenizer(file, "x.tiktoken", [new AddedToken("<|begin_of_text|>", 2), new AddedToken("<|end_of_text|>", 3)]));
        Assert.Equal(2, e.Line);
        Assert.Contains("x.tiktoken:2", e.Message);
    }

    [Fact]
    public void SpecialTokensJson_WrongType_NamesField()
    {
        string dir = TestData.TempDirectory();
        string path = Path.Combine(dir, "special_tokens.json");
        File.WriteAllText(path, """{"<|a|>": "x"}""");
        Assert.Equal("<|a|>", Assert.Throws<TextDataException>(() => TiktokenTextTokenizer.ReadSpecialTokensJson(path)).Field);
    }
}
