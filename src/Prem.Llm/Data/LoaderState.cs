using System.Text.Json;
using System.Text.Json.Serialization;

namespace Prem.Llm.Data;

/// <summary>
/// Exact position of a batch loader: the next batch is step <see cref="Step"/> of epoch
/// <see cref="Epoch"/>. A loader restored to it yields exactly the batches an uninterrupted run would
/// have yielded from there on.
/// </summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Step">0-based step within the epoch.</param>
public sealed record LoaderState(
    [property: JsonPropertyName("epoch")] long Epoch,
    [property: JsonPropertyName("step")] long Step)
{
    /// <summary>The state as JSON, e.g. <c>{"epoch":1,"step":17}</c>.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Parses <see cref="ToJson"/>'s output.</summary>
    /// <exception cref="DataFormatException">Not a loader state.</exception>
    public static LoaderState FromJson(string json)
    {
        try
        {
            var s = JsonSerializer.Deserialize<LoaderState>(json);
            if (s is null || s.Epoch < 0 || s.Step < 0) throw new DataFormatException($"invalid loader state: {json}");
            return s;
        }
        catch (JsonException e)
        {
            throw new DataFormatException($"invalid loader state: {e.Message}", inner: e);
        }
    }
}
