using System.Text.Json;
using Prem.Llm.Gguf;
using Prem.Llm.Tests.Text;

namespace Prem.Llm.Tests.Gguf;

public sealed class GgufPreTokenizersTests
{
    static string NameOf(string folder)
    {
        using var doc = JsonDocument.Parse(HfTestData.TokenizerJson(folder));
        doc.RootElement.TryGetProperty("pre_tokenizer", out var pre);
        doc.RootElement.TryGetProperty("normalizer", out var norm);
        return GgufPreTokenizers.NameOf(pre, norm, folder);
    }

    [Theory]
    [InlineData("llama3_1", "llama-bpe")]
    [InlineData("qwen3", "qwen2")]
    [InlineData("deepseek_v3", "deepseek-v3")]
    public void RealTokenizers_GetLlamaCppsNames(string folder, string name) => Assert.Equal(name, NameOf(folder));

    [Fact]
    public void UnknownPreTokenizer_IsRefusedNamingIt()
    {
        using var doc = JsonDocument.Parse("""{"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": true}, {"type": "ByteLevel", "add_prefix_space": false}]}""");
        var e = Assert.Throws<GgufFormatException>(() => GgufPreTokenizers.NameOf(doc.RootElement, default, "tok.json"));
        Assert.Contains("Digits", e.Message);
        Assert.Contains("llama-bpe", e.Message);
        Assert.Equal("pre_tokenizer", e.Field);
    }

    [Fact]
    public void Build_IsTheInverseOfNameOf()
    {
        foreach (var entry in GgufPreTokenizers.Known)
        {
            var (pre, norm) = GgufPreTokenizers.Build(entry.Name, "x");
            using var p = JsonDocument.Parse(pre.ToJsonString());
            using var n = JsonDocument.Parse(norm?.ToJsonString() ?? "null");
            Assert.Equal(entry.Name, GgufPreTokenizers.NameOf(p.RootElement, n.RootElement, "x"));
        }
        Assert.Throws<GgufFormatException>(() => GgufPreTokenizers.Build("falcon", "x"));
    }
}
