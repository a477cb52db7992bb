using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation;

public class ResultsTableTests
{
    [Fact]
    public void Table_has_the_seed_columns_in_order_and_avg_is_the_plain_mean()
    {
        var results = new EvalResults(
            [ResultsFixtures.Task(PiqaTask.Instance, 3, 4, 2), ResultsFixtures.Task(ArcTask.Challenge, 1, 4, 4)],
            [], null, null, 512, TimeSpan.Zero);
        Assert.Equal(
            "| Model | Avg | ARC-c | PIQA |\n|---|---|---|---|\n| m | 50.00 | 25.00 | 75.00 |\n",
            ResultsTable.Render(results, "m"));
        Assert.Equal(
            "| Model | Avg | ARC-c | PIQA |\n|---|---|---|---|\n| m | 75.00 | 100.00 | 50.00 |\n",
            ResultsTable.Render(results, "m", accNorm: true));
    }

    [Fact]
    public void Mmlu_column_uses_the_group_and_nothing_to_show_is_an_error()
    {
        var tasks = MmluSubjects.Category.Keys.Select(s => ResultsFixtures.Task(new MmluTask(s), 1, 4)).ToArray();
        var results = new EvalResults(tasks, GroupResult.MmluGroups(tasks), null, null, 512, TimeSpan.Zero);
        Assert.Contains("| MMLU |", ResultsTable.Render(results, "m"));
        Assert.Contains("| 25.00 | 25.00 |", ResultsTable.Render(results, "m"));
        Assert.Throws<EvaluationException>(() => ResultsTable.Render(new EvalResults(tasks[..3], [], null, null, 1, TimeSpan.Zero), "m"));
    }
}
