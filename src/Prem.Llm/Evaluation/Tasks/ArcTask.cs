using System.Text.Json;

namespace Prem.Llm.Evaluation.Tasks;

/// <summary>
/// ARC-Easy / ARC-Challenge (<c>lm_eval/tasks/arc/arc_easy.yaml</c>): context
/// <c>"Question: {question}\nAnswer:"</c>, choices <c>choices.text</c>, gold
/// <c>choices.label.index(answerKey)</c>; metrics acc and acc_norm.
/// </summary>
internal sealed class ArcTask : EvalTask
{
    private ArcTask(string name, string datasetName)
    {
        Name = name;
        DatasetName = datasetName;
    }

    /// <summary>The <c>arc_easy</c> task.</summary>
    public static ArcTask Easy { get; } = new("arc_easy", "ARC-Easy");

    /// <summary>The <c>arc_challenge</c> task.</summary>
    public static ArcTask Challenge { get; } = new("arc_challenge", "ARC-Challenge");

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override string? DatasetName { get; }

    /// <inheritdoc/>
    public override string DataFile => $"{Name}/test.jsonl";

    /// <inheritdoc/>
    public override bool HasAccNorm => true;

    /// <inheritdoc/>
    public override string DatasetPath => "allenai/ai2_arc";

    /// <inheritdoc/>
    public override string Split => "test";

    /// <inheritdoc/>
    public override string DocToText => "Question: {{question}}\nAnswer:";

    /// <inheritdoc/>
    public override EvalDocument ToDocument(JsonElement row)
    {
        var choices = JsonRow.GetStrings(row, "choices");
        var labels = JsonRow.GetStrings(row, "choice_labels");
        if (labels.Count != choices.Count)
            throw new FormatException($"'choice_labels' has {labels.Count} entries but 'choices' has {choices.Count}");
        int gold = IndexOf(labels, JsonRow.GetString(row, "answerKey"), "answerKey");
        var (continuations, lengths) = Choices(choices);
        string context = "Question: " + JsonRow.GetString(row, "question") + "\nAnswer:";
        return new EvalDocument(Name, JsonRow.GetString(row, "id"), [context], continuations, gold, lengths);
    }
}
