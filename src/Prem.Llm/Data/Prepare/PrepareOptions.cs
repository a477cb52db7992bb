namespace Prem.Llm.Data.Prepare;

/// <summary>Settings of a corpus preparation (see <see cref="CorpusPreparer"/>).</summary>
public sealed record PrepareOptions
{
    /// <summary>A corpus file or a folder of them (see <see cref="CorpusFiles"/>).</summary>
    public required string Input { get; init; }

    /// <summary>Output folder for shards and <c>manifest.json</c>; created when missing.</summary>
    public required string Output { get; init; }

    /// <summary>Identifies the tokenizer (e.g. <see cref="TokenizerFingerprint.Of"/>); recorded in the manifest and checked on resume.</summary>
    public required string TokenizerHash { get; init; }

    /// <summary>Training sequence length; windows hold <c>SeqLen + 1</c> tokens.</summary>
    public int SeqLen { get; init; } = 2048;

    /// <summary>Tokenizing threads. The output does not depend on it; reading and decompressing use one more thread.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Share of documents sent to the validation split, chosen by a hash of (seed, record index).</summary>
    public double ValFraction { get; init; }

    /// <summary>Documents with fewer text tokens (BOS/EOS excluded) are skipped.</summary>
    public int MinTokens { get; init; }

    /// <summary>Skip documents that look like source code (<see cref="CodeDetector"/>).</summary>
    public bool DropCode { get; init; }

    /// <summary>Seed of the validation split.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>JSONL field holding the document text.</summary>
    public string TextField { get; init; } = "text";

    /// <summary>Count malformed JSONL lines and go on instead of failing on the first one.</summary>
    public bool SkipBadLines { get; init; }

    /// <summary>
    /// Replace byte sequences that are not UTF-8 with U+FFFD and count them per file (<see cref="PrepareSummary.InvalidUtf8Replaced"/>)
    /// instead of failing with a <see cref="DataFormatException"/> naming the file and byte offset.
    /// </summary>
    public bool ReplaceInvalidUtf8 { get; init; }

    /// <summary>How plain text files are cut into documents.</summary>
    public TextFileSplit TextFileSplit { get; init; } = TextFileSplit.WholeFile;

    /// <summary>Input records per chunk; each chunk becomes one shard per split and is the unit of resumption.</summary>
    public int RecordsPerShard { get; init; } = 16384;

    /// <summary>Consecutive windows share one token (see <see cref="TokenPacker"/>); off by default, as in litgpt.</summary>
    public bool OverlapWindows { get; init; }
}
