using System.Text.Json;
using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation.Tasks;

public class JsonRowTests
{
    [Fact]
    public void Reads_typed_fields_and_names_bad_ones()
    {
        using var json = JsonDocument.Parse("""{"s":"x","n":3,"ns":"4","a":["p","q"],"bad":[1],"empty":[]}""");
        var row = json.RootElement;
        Assert.Equal("x", JsonRow.GetString(row, "s"));
        Assert.Equal(3, JsonRow.GetInt(row, "n"));
        Assert.Equal(4, JsonRow.GetInt(row, "ns"));
        Assert.Equal(["p", "q"], JsonRow.GetStrings(row, "a"));
        Assert.Contains("'missing'", Assert.Throws<FormatException>(() => JsonRow.GetString(row, "missing")).Message);
        Assert.Contains("'n'", Assert.Throws<FormatException>(() => JsonRow.GetString(row, "n")).Message);
        Assert.Contains("'s'", Assert.Throws<FormatException>(() => JsonRow.GetInt(row, "s")).Message);
        Assert.Contains("'bad'", Assert.Throws<FormatException>(() => JsonRow.GetStrings(row, "bad")).Message);
        Assert.Contains("'empty'", Assert.Throws<FormatException>(() => JsonRow.GetStrings(row, "empty")).Message);
        using var array = JsonDocument.Parse("[1]");
        Assert.Throws<FormatException>(() => JsonRow.GetString(array.RootElement, "s"));
    }
}
