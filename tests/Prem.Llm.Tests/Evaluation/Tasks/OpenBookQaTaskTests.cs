using System.Text.Json;
using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation.Tasks;

public class OpenBookQaTaskTests
{
    [Fact]
    public void Requests_equal_every_golden_row() =>
        Assert.Equal(25, EvalTestData.AssertMatchesGolden([OpenBookQaTask.Instance], "openbookqa", EvalTestData.SliceDir));

    [Fact]
    public void Full_set_loads_and_matches_goldens()
    {
        Assert.Equal(500, TaskDataLoader.Load([OpenBookQaTask.Instance], EvalTestData.FullDir)["openbookqa"].Count);
        EvalTestData.AssertMatchesGolden([OpenBookQaTask.Instance], "openbookqa", EvalTestData.FullDir);
    }

    [Fact]
    public void Stem_is_the_raw_context_and_answer_key_is_left_stripped()
    {
        using var row = JsonDocument.Parse("""{"id":"1","question_stem":"Fog is near","choices":["a marsh","a desert"],"choice_labels":["A","B"],"answerKey":" B"}""");
        var doc = OpenBookQaTask.Instance.ToDocument(row.RootElement);
        Assert.Equal(["Fog is near"], doc.Contexts);
        Assert.Equal(1, doc.Gold);
    }
}
