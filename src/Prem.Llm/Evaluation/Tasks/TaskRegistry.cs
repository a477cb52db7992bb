namespace Prem.Llm.Evaluation.Tasks;

/// <summary>
/// Resolves lm-eval task names to leaf tasks: <c>arc_easy</c>, <c>arc_challenge</c>, <c>openbookqa</c>,
/// <c>piqa</c>, <c>winogrande</c>, <c>hellaswag</c>, <c>mmlu</c> (all 57 subjects), <c>mmlu_stem</c> /
/// <c>mmlu_humanities</c> / <c>mmlu_social_sciences</c> / <c>mmlu_other</c>, and <c>mmlu_&lt;subject&gt;</c>.
/// </summary>
public static class TaskRegistry
{
    /// <summary>The top-level names <see cref="Resolve"/> accepts besides MMLU categories and subjects.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["arc_easy", "arc_challenge", "hellaswag", "mmlu", "openbookqa", "piqa", "winogrande"];

    /// <summary>
    /// The leaf tasks of a comma-separated list, in the given order, without duplicates.
    /// Throws <see cref="EvaluationException"/> naming an unknown task and listing the known ones.
    /// </summary>
    public static IReadOnlyList<EvalTask> Resolve(string taskList)
    {
        var result = new List<EvalTask>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in taskList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            foreach (var task in ResolveOne(raw))
                if (seen.Add(task.Name)) result.Add(task);
        if (result.Count == 0) throw new EvaluationException("no task given");
        return result;
    }

    private static IEnumerable<EvalTask> ResolveOne(string name)
    {
        switch (name)
        {
            case "arc_easy": return [ArcTask.Easy];
            case "arc_challenge": return [ArcTask.Challenge];
            case "openbookqa": return [OpenBookQaTask.Instance];
            case "piqa": return [PiqaTask.Instance];
            case "winogrande": return [WinograndeTask.Instance];
            case "hellaswag": return [HellaSwagTask.Instance];
            case "mmlu": return MmluSubjects.Category.Keys.Select(s => new MmluTask(s));
        }
        if (name.StartsWith("mmlu_", StringComparison.Ordinal))
        {
            string rest = name["mmlu_".Length..];
            if (MmluSubjects.Categories.Contains(rest))
                return MmluSubjects.Category.Where(kv => kv.Value == rest).Select(kv => new MmluTask(kv.Key));
            if (MmluSubjects.Category.ContainsKey(rest)) return [new MmluTask(rest)];
        }
        throw new EvaluationException(
            $"unknown task '{name}'; known: {string.Join(", ", Names)}, mmlu_<category> ({string.Join(", ", MmluSubjects.Categories)}) or mmlu_<subject>");
    }
}
