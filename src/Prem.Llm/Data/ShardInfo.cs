using System.Text.Json.Serialization;

namespace Prem.Llm.Data;

/// <summary>One token shard as listed in the manifest: a token file and its document index.</summary>
public sealed record ShardInfo
{
    /// <summary>"train" or "val".</summary>
    [JsonPropertyName("split")] public required string Split { get; init; }

    /// <summary>Input chunk the shard was made from (chunk c holds records [c·R, (c+1)·R)).</summary>
    [JsonPropertyName("chunk")] public required long Chunk { get; init; }

    /// <summary>Token file name, relative to the output folder.</summary>
    [JsonPropertyName("file")] public required string File { get; init; }

    /// <summary>Index file name, relative to the output folder.</summary>
    [JsonPropertyName("index_file")] public required string IndexFile { get; init; }

    /// <summary>Documents in the shard.</summary>
    [JsonPropertyName("documents")] public required long Documents { get; init; }

    /// <summary>Tokens in the shard, BOS and EOS included.</summary>
    [JsonPropertyName("tokens")] public required long Tokens { get; init; }

    /// <summary>Size of the token file in bytes.</summary>
    [JsonPropertyName("bytes")] public required long Bytes { get; init; }

    /// <summary>SHA-256 of the token file, lowercase hex.</summary>
    [JsonPropertyName("sha256")] public required string Sha256 { get; init; }

    /// <summary>Size of the index file in bytes.</summary>
    [JsonPropertyName("index_bytes")] public required long IndexBytes { get; init; }

    /// <summary>SHA-256 of the index file, lowercase hex.</summary>
    [JsonPropertyName("index_sha256")] public required string IndexSha256 { get; init; }
}
