using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class HfJsonReaderTests
{
    [Fact]
    public void UnknownOptionsAndWrongTypes_NameTheFileAndField()
    {
        var json = new HfJsonReader("x/tokenizer.json");
        using var doc = JsonDocument.Parse("""{"type":"Strip","strip_left":"yes","extra":1}""");
        var e = Assert.Throws<TextDataException>(() => json.OnlyKnown(doc.RootElement, "normalizer", "type", "strip_left"));
        Assert.Equal("normalizer.extra", e.Field);
        Assert.Contains("x/tokenizer.json", e.Message);
        Assert.Equal("normalizer.strip_left", Assert.Throws<TextDataException>(() => json.Bool(doc.RootElement, "strip_left", "normalizer", true)).Field);
        Assert.Throws<TextDataException>(() => json.String(JsonDocument.Parse("[1]").RootElement, "type", "decoder"));
    }
}
