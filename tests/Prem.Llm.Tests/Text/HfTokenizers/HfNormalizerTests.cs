using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class HfNormalizerTests
{
    static HfNormalizer Parse(string json) => HfNormalizer.Parse(JsonDocument.Parse(json).RootElement, new HfJsonReader("t.json"), "normalizer")!;

    [Fact]
    public void Prepend_LeavesEmptyTextEmpty() // tokenizers' Prepend: `if !normalized.is_empty()`
    {
        var n = Parse("""{"type":"Prepend","prepend":"▁"}""");
        Assert.Equal("", n.Normalize(""));
        Assert.Equal("▁a", n.Normalize("a"));
    }

    [Fact]
    public void Lowercase_UsesTheFullMapping() => Assert.Equal("i\u0307stanbul", Parse("""{"type":"Lowercase"}""").Normalize("İSTANBUL"));

    [Fact]
    public void Replace_InsertsContentLiterally() =>
        Assert.Equal("a$1b$1", Parse("""{"type":"Replace","pattern":{"Regex":"\\d"},"content":"$1"}""").Normalize("a1b2"));

    [Fact]
    public void SequenceOfUnicodeForms() =>
        Assert.Equal("e", Parse("""{"type":"Sequence","normalizers":[{"type":"NFKD"},{"type":"StripAccents"},{"type":"Strip","strip_left":true,"strip_right":true}]}""").Normalize("  é "));
}
