using System.Text.Json;

namespace Prem.Llm.Evaluation.Tasks;

/// <summary>
/// PIQA validation (<c>lm_eval/tasks/piqa/piqa.yaml</c>): context <c>"Question: {goal}\nAnswer:"</c>,
/// choices <c>[sol1, sol2]</c> raw (trailing spaces are scored), gold <c>label</c>; acc and acc_norm.
/// </summary>
internal sealed class PiqaTask : EvalTask
{
    /// <summary>The <c>piqa</c> task.</summary>
    public static PiqaTask Instance { get; } = new();

    /// <inheritdoc/>
    public override string Name => "piqa";

    /// <inheritdoc/>
    public override string DataFile => "piqa/validation.jsonl";

    /// <inheritdoc/>
    public override bool HasAccNorm => true;

    /// <inheritdoc/>
    public override string DatasetPath => "baber/piqa";

    /// <inheritdoc/>
    public override string Split => "validation";

    /// <inheritdoc/>
    public override string DocToText => "Question: {{goal}}\nAnswer:";

    /// <inheritdoc/>
    public override EvalDocument ToDocument(JsonElement row)
    {
        string[] choices = [JsonRow.GetString(row, "sol1"), JsonRow.GetString(row, "sol2")];
        var (continuations, lengths) = Choices(choices);
        string context = "Question: " + JsonRow.GetString(row, "goal") + "\nAnswer:";
        return new EvalDocument(Name, JsonRow.GetString(row, "id"), [context], continuations, JsonRow.GetInt(row, "label"), lengths);
    }
}
