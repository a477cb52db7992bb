using System.Text.Json.Serialization;

namespace Prem.Llm.Data;

/// <summary>Counts for one split ("train" or "val") of a prepared corpus.</summary>
public sealed record SplitCounts
{
    /// <summary>Documents kept.</summary>
    [JsonPropertyName("documents")] public long Documents { get; set; }

    /// <summary>Tokens, BOS and EOS included.</summary>
    [JsonPropertyName("tokens")] public long Tokens { get; set; }

    /// <summary>Whole packed windows (<c>seq_len + 1</c> tokens each); set when preparation completes.</summary>
    [JsonPropertyName("sequences")] public long Sequences { get; set; }

    /// <summary>Tail tokens that fill no window and are dropped; set when preparation completes.</summary>
    [JsonPropertyName("dropped_tail_tokens")] public long DroppedTailTokens { get; set; }
}
