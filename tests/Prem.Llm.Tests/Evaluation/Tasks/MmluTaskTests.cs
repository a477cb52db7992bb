using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation.Tasks;

public class MmluTaskTests
{
    [Fact]
    public void Requests_equal_every_golden_row_one_per_subject() =>
        Assert.Equal(57, EvalTestData.AssertMatchesGolden(TaskRegistry.Resolve("mmlu"), "mmlu", EvalTestData.SliceDir));

    [Fact]
    public void Full_set_loads_every_subject_and_matches_goldens()
    {
        var tasks = TaskRegistry.Resolve("mmlu");
        var docs = TaskDataLoader.Load(tasks, EvalTestData.FullDir);
        Assert.Equal(14042, docs.Values.Sum(d => d.Count));
        Assert.Equal(1534, docs["mmlu_professional_law"].Count);
        Assert.Equal(100, docs["mmlu_abstract_algebra"].Count);
        EvalTestData.AssertMatchesGolden(tasks, "mmlu", EvalTestData.FullDir);
    }

    [Fact]
    public void Description_names_the_subject_with_spaces_and_group_is_its_category()
    {
        var task = new MmluTask("high_school_us_history");
        Assert.Equal("The following are multiple choice questions (with answers) about high school us history.\n\n", task.Description);
        Assert.Equal("mmlu_humanities", task.Group);
        Assert.Equal("mmlu_high_school_us_history", task.Name);
        Assert.Throws<EvaluationException>(() => new MmluTask("astrology"));
    }
}
