using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation;

public class GroupResultTests
{
    [Fact]
    public void Mmlu_group_is_weighted_by_size_with_pooled_stderr_over_all_subjects()
    {
        var random = new Random(5);
        var tasks = MmluSubjects.Category.Keys.Select(s =>
        {
            int total = random.Next(2, 9);
            return ResultsFixtures.Task(new MmluTask(s), random.Next(0, total + 1), total);
        }).ToArray();
        var groups = GroupResult.MmluGroups(tasks);
        var mmlu = groups[0];
        Assert.Equal("mmlu", mmlu.Name);
        Assert.Equal(tasks.Sum(t => t.Documents.Count), mmlu.Size);
        Assert.Equal(tasks.SelectMany(t => t.Documents).Average(d => d.Acc), mmlu.Acc, 12);
        var sizes = tasks.Select(t => t.Documents.Count).ToArray();
        double pooled = Math.Sqrt(tasks.Sum(t => (t.Documents.Count - 1) * t.AccStderr!.Value * t.AccStderr.Value * t.Documents.Count) / (sizes.Sum() - 57) / sizes.Sum());
        Assert.Equal(pooled, mmlu.AccStderr!.Value, 12);
        var stem = groups.Single(g => g.Name == "mmlu_stem");
        Assert.Equal(MmluSubjects.Category.Count(kv => kv.Value == "stem"), stem.Leaves.Count);
    }

    [Fact]
    public void Incomplete_groups_are_not_reported()
    {
        var tasks = MmluSubjects.Category.Where(kv => kv.Value == "stem").Select(kv => ResultsFixtures.Task(new MmluTask(kv.Key), 1, 2)).ToArray();
        Assert.Equal(["mmlu_stem"], GroupResult.MmluGroups(tasks).Select(g => g.Name));
        Assert.Empty(GroupResult.MmluGroups(tasks[1..]));
    }
}
