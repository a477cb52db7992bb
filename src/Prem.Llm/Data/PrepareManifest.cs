using System.Text.Json;
using System.Text.Json.Serialization;

namespace Prem.Llm.Data;

/// <summary>
/// <c>manifest.json</c> of a prepared corpus: the settings that determine the output, the counts, and
/// the shard list. It is rewritten after every chunk with <see cref="Complete"/> false, which makes it
/// the progress file of a resumable run, and a last time with <see cref="Complete"/> true. It holds no
/// times, paths outside the input, or worker counts, so equal inputs give equal bytes.
/// </summary>
public sealed class PrepareManifest
{
    /// <summary>File name inside the output folder.</summary>
    public const string FileName = "manifest.json";

    /// <summary>Format tag.</summary>
    public const string CurrentFormat = "prem-tokens/1";

    private static readonly JsonSerializerOptions _json = new() { WriteIndented = true };

    /// <summary>Format tag, <see cref="CurrentFormat"/>.</summary>
    [JsonPropertyName("format")] public string Format { get; set; } = CurrentFormat;

    /// <summary>False while preparation is under way or interrupted.</summary>
    [JsonPropertyName("complete")] public bool Complete { get; set; }

    /// <summary>Identity of the tokenizer.</summary>
    [JsonPropertyName("tokenizer_hash")] public string TokenizerHash { get; set; } = "";

    /// <summary>Vocabulary size of the tokenizer.</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; set; }

    /// <summary>BOS id that starts every document.</summary>
    [JsonPropertyName("bos_id")] public int BosId { get; set; }

    /// <summary>EOS id that ends every document.</summary>
    [JsonPropertyName("eos_id")] public int EosId { get; set; }

    /// <summary>"uint16" or "uint32".</summary>
    [JsonPropertyName("dtype")] public string DType { get; set; } = "";

    /// <summary>Seed of the validation split.</summary>
    [JsonPropertyName("seed")] public long Seed { get; set; }

    /// <summary>Validation share.</summary>
    [JsonPropertyName("val_fraction")] public double ValFraction { get; set; }

    /// <summary>Minimum text tokens of a kept document.</summary>
    [JsonPropertyName("min_tokens")] public int MinTokens { get; set; }

    /// <summary>Whether code was filtered out.</summary>
    [JsonPropertyName("drop_code")] public bool DropCode { get; set; }

    /// <summary>JSONL text field.</summary>
    [JsonPropertyName("text_field")] public string TextField { get; set; } = "";

    /// <summary>How text files were split ("WholeFile" or "BlankLine").</summary>
    [JsonPropertyName("text_file_split")] public string TextFileSplit { get; set; } = "";

    /// <summary>Whether malformed lines were skipped rather than fatal.</summary>
    [JsonPropertyName("skip_bad_lines")] public bool SkipBadLines { get; set; }

    /// <summary>Input records per chunk.</summary>
    [JsonPropertyName("records_per_shard")] public int RecordsPerShard { get; set; }

    /// <summary>Sequence length the window counts refer to.</summary>
    [JsonPropertyName("seq_len")] public int SeqLen { get; set; }

    /// <summary>Whether consecutive windows share a token.</summary>
    [JsonPropertyName("overlap_windows")] public bool OverlapWindows { get; set; }

    /// <summary>Input files in processing order.</summary>
    [JsonPropertyName("inputs")] public List<InputFileInfo> Inputs { get; set; } = [];

    /// <summary>Input records consumed (whole chunks only).</summary>
    [JsonPropertyName("records_read")] public long RecordsRead { get; set; }

    /// <summary>Chunks completed.</summary>
    [JsonPropertyName("chunks_done")] public long ChunksDone { get; set; }

    /// <summary>UTF-8 bytes of the records consumed.</summary>
    [JsonPropertyName("input_bytes")] public long InputBytes { get; set; }

    /// <summary>Skipped records by reason (<see cref="SkipReasons"/>).</summary>
    [JsonPropertyName("skipped")] public SortedDictionary<string, long> Skipped { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Counts per split ("train", "val").</summary>
    [JsonPropertyName("splits")] public SortedDictionary<string, SplitCounts> Splits { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Shards in order (chunk, then train before val).</summary>
    [JsonPropertyName("shards")] public List<ShardInfo> Shards { get; set; } = [];

    /// <summary>The manifest of the prepared corpus in <paramref name="folder"/>.</summary>
    /// <exception cref="DataFormatException">Missing or unreadable manifest.</exception>
    public static PrepareManifest Load(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) throw new DataFormatException("no manifest", path);
        PrepareManifest? m;
        try
        {
            m = JsonSerializer.Deserialize<PrepareManifest>(File.ReadAllBytes(path), _json);
        }
        catch (JsonException e)
        {
            throw new DataFormatException($"invalid manifest: {e.Message}", path, e.LineNumber + 1, e);
        }
        if (m is null || m.Format != CurrentFormat)
            throw new DataFormatException($"unsupported manifest format '{m?.Format}' (expected {CurrentFormat})", path);
        return m;
    }

    /// <summary>Writes the manifest into <paramref name="folder"/> (atomically).</summary>
    public void Save(string folder) =>
        TokenShard.WriteAtomically(Path.Combine(folder, FileName), JsonSerializer.SerializeToUtf8Bytes(this, _json));

    /// <summary>The counts of <paramref name="split"/>, created when absent.</summary>
    public SplitCounts Split(string split)
    {
        if (!Splits.TryGetValue(split, out var counts)) Splits[split] = counts = new SplitCounts();
        return counts;
    }

    /// <summary>
    /// The first setting in which <paramref name="other"/> differs from this manifest, or null when
    /// both describe the same preparation (so one may resume the other).
    /// </summary>
    public string? FirstDifference(PrepareManifest other)
    {
        (string Name, object A, object B)[] settings =
        [
            ("tokenizer_hash", TokenizerHash, other.TokenizerHash), ("vocab_size", VocabSize, other.VocabSize),
            ("bos_id", BosId, other.BosId), ("eos_id", EosId, other.EosId), ("seed", Seed, other.Seed),
            ("val_fraction", ValFraction, other.ValFraction), ("min_tokens", MinTokens, other.MinTokens),
            ("drop_code", DropCode, other.DropCode), ("text_field", TextField, other.TextField),
            ("text_file_split", TextFileSplit, other.TextFileSplit), ("skip_bad_lines", SkipBadLines, other.SkipBadLines),
            ("records_per_shard", RecordsPerShard, other.RecordsPerShard), ("seq_len", SeqLen, other.SeqLen),
            ("overlap_windows", OverlapWindows, other.OverlapWindows),
        ];
        foreach (var (name, a, b) in settings)
            if (!a.Equals(b)) return name;
        return Inputs.SequenceEqual(other.Inputs) ? null : "inputs";
    }
}
