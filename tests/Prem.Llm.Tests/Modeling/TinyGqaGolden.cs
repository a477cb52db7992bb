using System.Text.Json;

namespace Prem.Llm.Tests.Modeling;

/// <summary>
/// Data/tiny-gqa/golden.json: prompts, float32 logits of one causal forward per prompt (from
/// llama2.c's C forward, cross-checked in float64) and 20-token greedy continuations.
/// </summary>
internal sealed class TinyGqaGolden
{
    public required int[][] Prompts { get; init; }
    public required float[][][] Logits { get; init; }
    public required int[][] Greedy { get; init; }

    public static string ModelDirectory => TestData.Path("tiny-gqa");

    static readonly Lazy<TinyGqaGolden> _cached = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(ModelDirectory, "golden.json")));
        var root = doc.RootElement;
        return new TinyGqaGolden
        {
            Prompts = root.GetProperty("prompts").EnumerateArray().Select(p => p.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray(),
            Greedy = root.GetProperty("greedy").EnumerateArray().Select(p => p.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray(),
            Logits = root.GetProperty("logits").EnumerateArray()
                .Select(p => p.EnumerateArray().Select(row => row.EnumerateArray().Select(x => x.GetSingle()).ToArray()).ToArray()).ToArray(),
        };
    });

    public static TinyGqaGolden Load() => _cached.Value;
}
