using System.Text.Json;
using System.Text.RegularExpressions;
using Prem.Llm.Text;

namespace Prem.Llm.Evaluation.Tasks;

/// <summary>
/// HellaSwag validation (<c>lm_eval/tasks/hellaswag/utils.py</c>): query
/// <c>preprocess(activity_label + ": " + ctx_a + " " + ctx_b.capitalize())</c>, choices
/// <c>preprocess(ending)</c>, gold <c>int(label)</c>; acc and acc_norm. No copy of the data ships
/// with the project (see <c>data/eval/hellaswag/README.md</c>); rows are the Hugging Face fields.
/// </summary>
internal sealed partial class HellaSwagTask : EvalTask
{
    /// <summary>The <c>hellaswag</c> task.</summary>
    public static HellaSwagTask Instance { get; } = new();

    /// <inheritdoc/>
    public override string Name => "hellaswag";

    /// <inheritdoc/>
    public override string DataFile => "hellaswag/validation.jsonl";

    /// <inheritdoc/>
    public override bool HasAccNorm => true;

    /// <inheritdoc/>
    public override string DatasetPath => "Rowan/hellaswag";

    /// <inheritdoc/>
    public override string Split => "validation";

    /// <inheritdoc/>
    public override string DocToText => "{{query}}";

    /// <summary>
    /// lm-eval's <c>preprocess</c>: strip; <c>" [title]"</c> → <c>". "</c>; drop every <c>[…]</c> tag
    /// (non-greedy, not across lines); one left-to-right pass replacing two spaces with one.
    /// </summary>
    public static string Preprocess(string text)
    {
        text = PythonStrip.Strip(text).Replace(" [title]", ". ", StringComparison.Ordinal);
        text = BracketTag().Replace(text, "");
        return text.Replace("  ", " ", StringComparison.Ordinal);
    }

    /// <inheritdoc/>
    public override EvalDocument ToDocument(JsonElement row)
    {
        string ctx = JsonRow.GetString(row, "ctx_a") + " " + PythonText.Capitalize(JsonRow.GetString(row, "ctx_b"));
        string query = Preprocess(JsonRow.GetString(row, "activity_label") + ": " + ctx);
        var choices = JsonRow.GetStrings(row, "endings").Select(Preprocess).ToArray();
        var (continuations, lengths) = Choices(choices);
        string id = row.TryGetProperty("id", out _) ? JsonRow.GetString(row, "id") : JsonRow.GetInt(row, "ind").ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new EvalDocument(Name, id, [query], continuations, JsonRow.GetInt(row, "label"), lengths);
    }

    [GeneratedRegex(@"\[.*?\]", RegexOptions.CultureInvariant)]
    private static partial Regex BracketTag();
}
