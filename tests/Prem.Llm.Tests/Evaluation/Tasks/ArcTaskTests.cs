using System.Text.Json;
using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation.Tasks;

public class ArcTaskTests
{
    [Theory]
    [InlineData("arc_easy", 32)]
    [InlineData("arc_challenge", 30)]
    public void Requests_equal_every_golden_row(string name, int goldenRows)
    {
        var task = name == "arc_easy" ? ArcTask.Easy : ArcTask.Challenge;
        Assert.Equal(goldenRows, EvalTestData.AssertMatchesGolden([task], name, EvalTestData.SliceDir));
    }

    [Theory]
    [InlineData("arc_easy", 2376)]
    [InlineData("arc_challenge", 1172)]
    public void Full_set_loads_and_matches_goldens(string name, int rows)
    {
        var task = name == "arc_easy" ? ArcTask.Easy : ArcTask.Challenge;
        Assert.Equal(rows, TaskDataLoader.Load([task], EvalTestData.FullDir)[name].Count);
        EvalTestData.AssertMatchesGolden([task], name, EvalTestData.FullDir);
    }

    [Fact]
    public void Numeric_labels_index_by_position_and_unknown_answer_key_is_an_error()
    {
        using var row = JsonDocument.Parse("""{"id":"x","question":"Q?","choices":["a","bb","ccc"],"choice_labels":["1","2","3"],"answerKey":"3","label":2}""");
        var doc = ArcTask.Easy.ToDocument(row.RootElement);
        Assert.Equal(2, doc.Gold);
        Assert.Equal(["Question: Q?\nAnswer:"], doc.Contexts);
        Assert.Equal([" a", " bb", " ccc"], doc.Continuations);
        Assert.Equal([1, 2, 3], doc.NormLengths);

        using var bad = JsonDocument.Parse("""{"id":"x","question":"Q?","choices":["a"],"choice_labels":["A"],"answerKey":"B"}""");
        var e = Assert.Throws<FormatException>(() => ArcTask.Easy.ToDocument(bad.RootElement));
        Assert.Contains("answerKey", e.Message);
    }
}
