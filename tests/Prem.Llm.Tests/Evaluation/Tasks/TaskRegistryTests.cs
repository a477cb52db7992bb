using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation.Tasks;

public class TaskRegistryTests
{
    [Fact]
    public void Resolves_the_six_tasks_with_mmlu_expanded_to_its_subjects()
    {
        var tasks = TaskRegistry.Resolve("arc_easy,arc_challenge,openbookqa,piqa,winogrande,mmlu");
        Assert.Equal(5 + 57, tasks.Count);
        Assert.Equal(["arc_easy", "arc_challenge", "openbookqa", "piqa", "winogrande"], tasks.Take(5).Select(t => t.Name));
        Assert.Equal(57, tasks.OfType<MmluTask>().Select(t => t.Subject).Distinct().Count());
    }

    [Fact]
    public void Categories_subjects_and_duplicates()
    {
        Assert.Equal(MmluSubjects.Category.Count(kv => kv.Value == "humanities"), TaskRegistry.Resolve("mmlu_humanities").Count);
        Assert.Equal(["mmlu_anatomy"], TaskRegistry.Resolve("mmlu_anatomy, mmlu_anatomy").Select(t => t.Name));
        Assert.Equal(57, TaskRegistry.Resolve("mmlu_stem,mmlu").Count);
    }

    [Theory]
    [InlineData("arc_easy,lambada")]
    [InlineData("mmlu_astrology")]
    [InlineData(" , ")]
    public void Unknown_or_empty_task_lists_are_errors(string list)
    {
        var e = Assert.Throws<EvaluationException>(() => TaskRegistry.Resolve(list));
        Assert.True(e.Message.Contains("unknown task") || e.Message.Contains("no task"), e.Message);
    }
}
