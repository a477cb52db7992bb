using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Evaluation.Tasks;

/// <summary>
/// One MMLU subject, lm-eval task <c>mmlu_&lt;subject&gt;</c> (<c>lm_eval/tasks/mmlu/default</c>).
/// 0-shot context = description <c>"The following are multiple choice questions (with answers)
/// about {subject with spaces}.\n\n"</c> + <c>"{question.strip()}\nA. …\nB. …\nC. …\nD. …\nAnswer:"</c>;
/// choices <c>" A"</c>…<c>" D"</c>; gold <c>answer</c>; acc only. All subjects share one data file.
/// </summary>
internal sealed class MmluTask : EvalTask
{
    private static readonly string[] _letters = ["A", "B", "C", "D"];

    /// <summary>Creates the task of <paramref name="subject"/> (e.g. <c>abstract_algebra</c>).</summary>
    public MmluTask(string subject)
    {
        if (!MmluSubjects.Category.TryGetValue(subject, out var category))
            throw new EvaluationException($"unknown MMLU subject '{subject}'");
        Subject = subject;
        Group = "mmlu_" + category;
        Description = "The following are multiple choice questions (with answers) about " + subject.Replace('_', ' ') + ".\n\n";
    }

    /// <summary>The subject, e.g. <c>abstract_algebra</c>.</summary>
    public string Subject { get; }

    /// <summary>The description line prepended to every context (also at 0 shots).</summary>
    public string Description { get; }

    /// <inheritdoc/>
    public override string Name => "mmlu_" + Subject;

    /// <inheritdoc/>
    public override string? Group { get; }

    /// <inheritdoc/>
    public override string DataFile => "mmlu/test.jsonl";

    /// <inheritdoc/>
    public override bool HasAccNorm => false;

    /// <inheritdoc/>
    public override string DatasetPath => "cais/mmlu";

    /// <inheritdoc/>
    public override string? DatasetName => Subject;

    /// <inheritdoc/>
    public override string Split => "test";

    /// <inheritdoc/>
    public override string DocToText =>
        "{{question.strip()}}\nA. {{choices[0]}}\nB. {{choices[1]}}\nC. {{choices[2]}}\nD. {{choices[3]}}\nAnswer:";

    /// <inheritdoc/>
    public override EvalDocument? ToDocument(JsonElement row)
    {
        if (JsonRow.GetString(row, "subject") != Subject) return null;
        var choices = JsonRow.GetStrings(row, "choices");
        if (choices.Count != 4) throw new FormatException($"field 'choices' must have 4 entries, found {choices.Count}");
        var text = new System.Text.StringBuilder(Description).Append(PythonStrip.Strip(JsonRow.GetString(row, "question")));
        for (int i = 0; i < 4; i++) text.Append('\n').Append(_letters[i]).Append(". ").Append(choices[i]);
        text.Append("\nAnswer:");
        var continuations = _letters.Select(l => TargetDelimiter + l).ToArray();
        return new EvalDocument(Name, JsonRow.GetString(row, "id"), [text.ToString()], continuations, JsonRow.GetInt(row, "answer"), null);
    }
}
