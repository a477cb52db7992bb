namespace Prem.Llm.Evaluation;

/// <summary>Everything an evaluation run produced: per-task and per-group metrics and run facts.</summary>
/// <param name="Tasks">Leaf task results, in the order run.</param>
/// <param name="Groups">Group results (MMLU), parents first.</param>
/// <param name="Limit">The <c>--limit</c> used, or null.</param>
/// <param name="SampleSeed">The sampling seed used with the limit, or null.</param>
/// <param name="MaxLength">The model window.</param>
/// <param name="Elapsed">Wall time of tokenizing and scoring.</param>
public sealed record EvalResults(
    IReadOnlyList<TaskResult> Tasks,
    IReadOnlyList<GroupResult> Groups,
    int? Limit,
    ulong? SampleSeed,
    int MaxLength,
    TimeSpan Elapsed)
{
    /// <summary>The leaf task named <paramref name="name"/>, or null.</summary>
    public TaskResult? Task(string name) => Tasks.FirstOrDefault(t => t.Task.Name == name);

    /// <summary>The group named <paramref name="name"/>, or null.</summary>
    public GroupResult? Group(string name) => Groups.FirstOrDefault(g => g.Name == name);
}
