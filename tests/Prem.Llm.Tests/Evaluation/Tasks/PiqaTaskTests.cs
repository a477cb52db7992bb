using System.Text.Json;
using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation.Tasks;

public class PiqaTaskTests
{
    [Fact]
    public void Requests_equal_every_golden_row() =>
        Assert.Equal(23, EvalTestData.AssertMatchesGolden([PiqaTask.Instance], "piqa", EvalTestData.SliceDir));

    [Fact]
    public void Full_set_loads_and_matches_goldens()
    {
        Assert.Equal(1838, TaskDataLoader.Load([PiqaTask.Instance], EvalTestData.FullDir)["piqa"].Count);
        EvalTestData.AssertMatchesGolden([PiqaTask.Instance], "piqa", EvalTestData.FullDir);
    }

    [Fact]
    public void Trailing_spaces_of_solutions_are_kept_and_counted()
    {
        using var row = JsonDocument.Parse("""{"id":"p","goal":"dresser","sol1":"pin ","sol2":"x","label":0}""");
        var doc = PiqaTask.Instance.ToDocument(row.RootElement);
        Assert.Equal([" pin ", " x"], doc.Continuations);
        Assert.Equal([4, 1], doc.NormLengths);
        Assert.Equal(["Question: dresser\nAnswer:"], doc.Contexts);
    }
}
