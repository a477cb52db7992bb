using System.Text.Json;

namespace Prem.Llm.Evaluation.Tasks;

/// <summary>
/// A leaf lm-eval multiple-choice task: where its rows live and how a row becomes an
/// <see cref="EvalDocument"/> (lm-eval's <c>doc_to_text</c>, <c>doc_to_choice</c>, <c>doc_to_target</c>, 0-shot).
/// </summary>
public abstract class EvalTask
{
    /// <summary>lm-eval's target delimiter between context and choice.</summary>
    public const string TargetDelimiter = " ";

    /// <summary>The lm-eval task name, e.g. <c>arc_easy</c>, <c>mmlu_anatomy</c>.</summary>
    public abstract string Name { get; }

    /// <summary>lm-eval's <c>metadata.version</c> of the task.</summary>
    public virtual double Version => 1.0;

    /// <summary>Data file path relative to the data folder, e.g. <c>arc_easy/test.jsonl</c>.</summary>
    public abstract string DataFile { get; }

    /// <summary>Whether the task reports <c>acc_norm</c> besides <c>acc</c>.</summary>
    public abstract bool HasAccNorm { get; }

    /// <summary>The group the task belongs to (MMLU category), or null.</summary>
    public virtual string? Group => null;

    /// <summary>Hugging Face dataset lm-eval loads (for the results' <c>configs</c>).</summary>
    public abstract string DatasetPath { get; }

    /// <summary>Hugging Face dataset config name, or null.</summary>
    public virtual string? DatasetName => null;

    /// <summary>The split evaluated.</summary>
    public abstract string Split { get; }

    /// <summary>lm-eval's <c>doc_to_text</c> template, as documentation in the results' <c>configs</c>.</summary>
    public abstract string DocToText { get; }

    /// <summary>
    /// Builds the document of one row, or returns null when the row belongs to another task sharing
    /// the file (MMLU subjects). Throws <see cref="FormatException"/> on a malformed row.
    /// </summary>
    public abstract EvalDocument? ToDocument(JsonElement row);

    /// <summary>The continuations <c>" " + choice</c> and their <c>acc_norm</c> lengths (code points, no delimiter).</summary>
    protected static (IReadOnlyList<string> Continuations, IReadOnlyList<int> Lengths) Choices(IReadOnlyList<string> choices) =>
        (choices.Select(c => TargetDelimiter + c).ToArray(), choices.Select(PythonText.CodePointLength).ToArray());

    /// <summary>Python's <c>list.index</c>: the position of <paramref name="key"/>, or a <see cref="FormatException"/>.</summary>
    protected static int IndexOf(IReadOnlyList<string> labels, string key, string field)
    {
        for (int i = 0; i < labels.Count; i++)
            if (labels[i] == key) return i;
        throw new FormatException($"'{field}' value '{key}' is not among the choice labels [{string.Join(", ", labels)}]");
    }
}
