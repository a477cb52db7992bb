using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Evaluation;

/// <summary>
/// An lm-eval group (<c>mmlu</c>, <c>mmlu_stem</c>, …): <c>acc</c> is the size-weighted mean of its
/// leaf tasks (<c>weight_by_size: True</c>, i.e. the mean over all questions) and its standard error
/// the pooled sample standard error over the leaf tasks.
/// </summary>
public sealed class GroupResult
{
    /// <summary>Aggregates <paramref name="leaves"/> under <paramref name="name"/>; <paramref name="subgroups"/> lists its direct children.</summary>
    public GroupResult(string name, double version, IReadOnlyList<TaskResult> leaves, IReadOnlyList<string> subgroups)
    {
        if (leaves.Count == 0) throw new EvaluationException($"group {name}: no tasks");
        Name = name;
        Version = version;
        Leaves = leaves;
        Subgroups = subgroups;
        var sizes = leaves.Select(l => l.Documents.Count).ToArray();
        Acc = EvalStatistics.WeightedMean(leaves.Select(l => l.Acc).ToArray(), sizes);
        AccStderr = leaves.All(l => l.AccStderr is not null)
            ? EvalStatistics.PooledSampleStderr(leaves.Select(l => l.AccStderr!.Value).ToArray(), sizes)
            : null;
    }

    /// <summary>Group name, e.g. <c>mmlu_stem</c>.</summary>
    public string Name { get; }

    /// <summary>lm-eval's group <c>metadata.version</c>.</summary>
    public double Version { get; }

    /// <summary>All leaf tasks under the group.</summary>
    public IReadOnlyList<TaskResult> Leaves { get; }

    /// <summary>Direct children (subgroups or leaf task names), as lm-eval's <c>group_subtasks</c>.</summary>
    public IReadOnlyList<string> Subgroups { get; }

    /// <summary>Number of documents in the group.</summary>
    public int Size => Leaves.Sum(l => l.Documents.Count);

    /// <summary>Size-weighted mean accuracy.</summary>
    public double Acc { get; }

    /// <summary>Pooled standard error; null when a leaf has none.</summary>
    public double? AccStderr { get; }

    /// <summary>
    /// The MMLU groups lm-eval reports, for those complete in <paramref name="tasks"/>: each category
    /// whose subjects are all present, and <c>mmlu</c> when all 57 are.
    /// </summary>
    public static IReadOnlyList<GroupResult> MmluGroups(IReadOnlyList<TaskResult> tasks)
    {
        var bySubject = tasks.Where(t => t.Task is MmluTask).ToDictionary(t => ((MmluTask)t.Task).Subject, StringComparer.Ordinal);
        var groups = new List<GroupResult>();
        foreach (var category in MmluSubjects.Categories)
        {
            var subjects = MmluSubjects.Category.Where(kv => kv.Value == category).Select(kv => kv.Key).ToArray();
            if (subjects.All(bySubject.ContainsKey))
                groups.Add(new GroupResult("mmlu_" + category, 2, subjects.Select(s => bySubject[s]).ToArray(), subjects.Select(s => "mmlu_" + s).ToArray()));
        }
        if (groups.Count == MmluSubjects.Categories.Count)
            groups.Insert(0, new GroupResult("mmlu", 2, groups.SelectMany(g => g.Leaves).ToArray(), groups.Select(g => g.Name).ToArray()));
        return groups;
    }
}
