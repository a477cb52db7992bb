using System.Globalization;
using System.Text;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Evaluation;

/// <summary>
/// The Prem-1B recipe's results table: <c>| Model | Avg | ARC-c | ARC-e | HellaSwag | MMLU | OBQA | PIQA | Winogrande |</c>,
/// percentages with two decimals, one column per task that was run (MMLU only when the whole group
/// was), Avg the plain mean of the shown columns. The Prem-1B recipe's numbers are <c>acc</c> (its HellaSwag
/// figures match lm-eval's acc, not acc_norm); <c>acc_norm</c> can be asked for and falls back to
/// acc for tasks without it.
/// </summary>
public static class ResultsTable
{
    private static readonly (string Task, string Header)[] _columns =
    [
        ("arc_challenge", "ARC-c"), ("arc_easy", "ARC-e"), ("hellaswag", "HellaSwag"), ("mmlu", "MMLU"),
        ("openbookqa", "OBQA"), ("piqa", "PIQA"), ("winogrande", "Winogrande"),
    ];

    /// <summary>The Markdown table (header, rule, one row) for <paramref name="model"/>.</summary>
    public static string Render(EvalResults results, string model, bool accNorm = false)
    {
        var shown = new List<(string Header, double Value)>();
        foreach (var (task, header) in _columns)
        {
            if (task == "mmlu")
            {
                if (results.Group("mmlu") is { } group) shown.Add((header, group.Acc));
            }
            else if (results.Task(task) is { } t)
            {
                shown.Add((header, accNorm && t.AccNorm is { } norm ? norm : t.Acc));
            }
        }
        if (shown.Count == 0) throw new EvaluationException("no task of the Prem-1B recipe's table was run");
        double avg = shown.Average(c => c.Value);
        var sb = new StringBuilder();
        sb.Append("| Model | Avg |").AppendJoin("", shown.Select(c => $" {c.Header} |")).Append('\n');
        sb.Append("|---|---|").Append(string.Concat(Enumerable.Repeat("---|", shown.Count))).Append('\n');
        sb.Append("| ").Append(model).Append(" | ").Append(Percent(avg)).Append(" |")
          .AppendJoin("", shown.Select(c => $" {Percent(c.Value)} |")).Append('\n');
        return sb.ToString();
    }

    private static string Percent(double value) => (value * 100).ToString("F2", CultureInfo.InvariantCulture);
}
