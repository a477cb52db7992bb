using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Evaluation.Tasks;

/// <summary>
/// WinoGrande (<c>lm_eval/tasks/winogrande/preprocess_winogrande.py</c>), partial scoring: each
/// option is substituted into the context <c>sentence[:idx] + option</c>, and the shared
/// continuation <c>" " + sentence[idx+1:].strip()</c> is scored under each; acc only.
/// </summary>
internal sealed class WinograndeTask : EvalTask
{
    /// <summary>The <c>winogrande</c> task.</summary>
    public static WinograndeTask Instance { get; } = new();

    /// <inheritdoc/>
    public override string Name => "winogrande";

    /// <inheritdoc/>
    public override string DataFile => "winogrande/validation.jsonl";

    /// <inheritdoc/>
    public override bool HasAccNorm => false;

    /// <inheritdoc/>
    public override string DatasetPath => "allenai/winogrande";

    /// <inheritdoc/>
    public override string? DatasetName => "winogrande_xl";

    /// <inheritdoc/>
    public override string Split => "validation";

    /// <inheritdoc/>
    public override string DocToText => "preprocess_winogrande.doc_to_text";

    /// <inheritdoc/>
    public override EvalDocument ToDocument(JsonElement row)
    {
        string sentence = JsonRow.GetString(row, "sentence");
        int idx = sentence.IndexOf('_');
        if (idx < 0) throw new FormatException("field 'sentence' has no '_' blank");
        string answer = JsonRow.GetString(row, "answer");
        int gold = answer switch
        {
            "1" => 0,
            "2" => 1,
            _ => throw new FormatException($"field 'answer' must be \"1\" or \"2\", found \"{answer}\""),
        };
        string prefix = sentence[..idx];
        string[] contexts = [prefix + JsonRow.GetString(row, "option1"), prefix + JsonRow.GetString(row, "option2")];
        string continuation = TargetDelimiter + PythonStrip.Strip(sentence[(idx + 1)..]);
        return new EvalDocument(Name, JsonRow.GetString(row, "id"), contexts, [continuation], gold, null);
    }
}
