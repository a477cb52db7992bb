using System.Text.Json;
using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation.Tasks;

public class WinograndeTaskTests
{
    [Fact]
    public void Requests_equal_every_golden_row() =>
        Assert.Equal(25, EvalTestData.AssertMatchesGolden([WinograndeTask.Instance], "winogrande", EvalTestData.SliceDir));

    [Fact]
    public void Full_set_loads_and_matches_goldens()
    {
        Assert.Equal(1267, TaskDataLoader.Load([WinograndeTask.Instance], EvalTestData.FullDir)["winogrande"].Count);
        EvalTestData.AssertMatchesGolden([WinograndeTask.Instance], "winogrande", EvalTestData.FullDir);
    }

    [Fact]
    public void Partial_scoring_substitutes_the_option_and_strips_the_rest()
    {
        using var row = JsonDocument.Parse("""{"id":"w","sentence":"He hid it in the  _  . ","option1":"box","option2":"bag","answer":"2"}""");
        var doc = WinograndeTask.Instance.ToDocument(row.RootElement);
        Assert.Equal(["He hid it in the  box", "He hid it in the  bag"], doc.Contexts);
        Assert.Equal([" ."], doc.Continuations);
        Assert.Equal(1, doc.Gold);
        Assert.Null(doc.NormLengths);
        Assert.Equal(("He hid it in the  bag", " ."), doc.Request(1));
    }

    [Theory]
    [InlineData("""{"id":"w","sentence":"no blank","option1":"a","option2":"b","answer":"1"}""", "blank")]
    [InlineData("""{"id":"w","sentence":"a _ b","option1":"a","option2":"b","answer":"3"}""", "answer")]
    public void Bad_rows_name_the_problem(string json, string expected)
    {
        using var row = JsonDocument.Parse(json);
        Assert.Contains(expected, Assert.Throws<FormatException>(() => WinograndeTask.Instance.ToDocument(row.RootElement)).Message);
    }
}
