using System.Text.Json;
using System.Text.Json.Serialization;

namespace Prem.Llm.Data;

/// <summary>What loading an SFT or preference dataset read, kept, skipped and truncated.</summary>
public sealed record ChatDatasetSummary
{
    private static readonly JsonSerializerOptions _json = new() { WriteIndented = true };

    /// <summary>Non-blank input lines read.</summary>
    [JsonPropertyName("records")] public long Records { get; init; }

    /// <summary>Examples kept (records minus skipped).</summary>
    [JsonPropertyName("examples")] public long Examples { get; init; }

    /// <summary>Skipped records by reason (<see cref="SkipReasons"/>, <see cref="ChatSkipReasons"/>); empty unless skipping was asked for.</summary>
    [JsonPropertyName("skipped")] public IReadOnlyDictionary<string, long> Skipped { get; init; } = new SortedDictionary<string, long>();

    /// <summary>All skipped records.</summary>
    [JsonIgnore] public long SkippedTotal => Skipped.Values.Sum();

    /// <summary>Tokens of the kept examples after truncation (a preference pair counts prompt + chosen + rejected).</summary>
    [JsonPropertyName("tokens")] public long Tokens { get; init; }

    /// <summary>Tokens with a label (SFT: assistant content and end-of-turn; preference: response tokens of both sides).</summary>
    [JsonPropertyName("trained_tokens")] public long TrainedTokens { get; init; }

    /// <summary>Kept examples that truncation shortened.</summary>
    [JsonPropertyName("truncated")] public long Truncated { get; init; }

    /// <summary>Per input file, invalid UTF-8 sequences replaced with U+FFFD; empty unless replacing was asked for and needed.</summary>
    [JsonPropertyName("invalid_utf8_replaced")] public IReadOnlyDictionary<string, long> InvalidUtf8Replaced { get; init; } = new SortedDictionary<string, long>();

    /// <summary>The summary as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, _json);
}
