using System.Text.Json;
using System.Text.Json.Serialization;

namespace Prem.Llm.Data.Prepare;

/// <summary>What a preparation produced; <see cref="ToJson"/> is what <c>prem prepare</c> prints.</summary>
public sealed record PrepareSummary
{
    private static readonly JsonSerializerOptions _json = new() { WriteIndented = true };

    /// <summary>Documents kept, all splits.</summary>
    [JsonPropertyName("documents")] public long Documents { get; init; }

    /// <summary>Tokens written, all splits, BOS and EOS included.</summary>
    [JsonPropertyName("tokens")] public long Tokens { get; init; }

    /// <summary>Packed windows of <c>seq_len + 1</c> tokens, all splits.</summary>
    [JsonPropertyName("sequences")] public long Sequences { get; init; }

    /// <summary>Padding tokens: always 0, packing never pads.</summary>
    [JsonPropertyName("padding_tokens")] public long PaddingTokens { get; init; }

    /// <summary>Tail tokens that fill no window, all splits.</summary>
    [JsonPropertyName("dropped_tail_tokens")] public long DroppedTailTokens { get; init; }

    /// <summary>Skipped records by reason.</summary>
    [JsonPropertyName("skipped")] public IReadOnlyDictionary<string, long> Skipped { get; init; } = new SortedDictionary<string, long>();

    /// <summary>Counts per split.</summary>
    [JsonPropertyName("splits")] public IReadOnlyDictionary<string, SplitCounts> Splits { get; init; } = new SortedDictionary<string, SplitCounts>();

    /// <summary>Input records read.</summary>
    [JsonPropertyName("records")] public long Records { get; init; }

    /// <summary>UTF-8 bytes of input text.</summary>
    [JsonPropertyName("input_bytes")] public long InputBytes { get; init; }

    /// <summary>Shard count.</summary>
    [JsonPropertyName("shards")] public int Shards { get; init; }

    /// <summary>Token file dtype.</summary>
    [JsonPropertyName("dtype")] public string DType { get; init; } = "";

    /// <summary>Chunks taken over from an interrupted earlier run (0 for a fresh run).</summary>
    [JsonPropertyName("resumed_chunks")] public long ResumedChunks { get; init; }

    /// <summary>
    /// Per input file, invalid UTF-8 sequences replaced with U+FFFD by this run (<see cref="PrepareOptions.ReplaceInvalidUtf8"/>);
    /// empty when none were, or the run only confirmed a complete preparation.
    /// </summary>
    [JsonPropertyName("invalid_utf8_replaced")] public IReadOnlyDictionary<string, long> InvalidUtf8Replaced { get; init; } = new SortedDictionary<string, long>();

    /// <summary>Summarises a complete manifest.</summary>
    public static PrepareSummary From(PrepareManifest manifest, long resumedChunks = 0)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return new PrepareSummary
        {
            Documents = manifest.Splits.Values.Sum(s => s.Documents),
            Tokens = manifest.Splits.Values.Sum(s => s.Tokens),
            Sequences = manifest.Splits.Values.Sum(s => s.Sequences),
            PaddingTokens = 0,
            DroppedTailTokens = manifest.Splits.Values.Sum(s => s.DroppedTailTokens),
            Skipped = new SortedDictionary<string, long>(manifest.Skipped, StringComparer.Ordinal),
            Splits = new SortedDictionary<string, SplitCounts>(manifest.Splits, StringComparer.Ordinal),
            Records = manifest.RecordsRead,
            InputBytes = manifest.InputBytes,
            Shards = manifest.Shards.Count,
            DType = manifest.DType,
            ResumedChunks = resumedChunks,
        };
    }

    /// <summary>The summary as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, _json);
}
