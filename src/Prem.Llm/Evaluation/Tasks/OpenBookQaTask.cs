using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Evaluation.Tasks;

/// <summary>
/// OpenBookQA main (<c>lm_eval/tasks/openbookqa/openbookqa.yaml</c>): the raw <c>question_stem</c>
/// is the context (no wrapper), gold <c>choices.label.index(answerKey.lstrip())</c>; acc and acc_norm.
/// </summary>
internal sealed class OpenBookQaTask : EvalTask
{
    /// <summary>The <c>openbookqa</c> task.</summary>
    public static OpenBookQaTask Instance { get; } = new();

    /// <inheritdoc/>
    public override string Name => "openbookqa";

    /// <inheritdoc/>
    public override string DataFile => "openbookqa/test.jsonl";

    /// <inheritdoc/>
    public override bool HasAccNorm => true;

    /// <inheritdoc/>
    public override string DatasetPath => "allenai/openbookqa";

    /// <inheritdoc/>
    public override string? DatasetName => "main";

    /// <inheritdoc/>
    public override string Split => "test";

    /// <inheritdoc/>
    public override string DocToText => "question_stem";

    /// <inheritdoc/>
    public override EvalDocument ToDocument(JsonElement row)
    {
        var choices = JsonRow.GetStrings(row, "choices");
        var labels = JsonRow.GetStrings(row, "choice_labels");
        int gold = IndexOf(labels, PythonStrip.LStrip(JsonRow.GetString(row, "answerKey")), "answerKey");
        var (continuations, lengths) = Choices(choices);
        return new EvalDocument(Name, JsonRow.GetString(row, "id"), [JsonRow.GetString(row, "question_stem")], continuations, gold, lengths);
    }
}
