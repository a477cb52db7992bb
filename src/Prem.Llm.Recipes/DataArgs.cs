namespace Prem.Llm.Recipes;

/// <summary>The Prem-1B recipe's <c>data</c> section.</summary>
internal sealed record DataArgs
{
    /// <summary>
    /// Training data (train_path): for pretraining a <c>prem prepare</c> output folder (its "train"
    /// split), for SFT a JSONL file of conversations.
    /// </summary>
    public required string TrainPath { get; init; }

    /// <summary>
    /// Validation data (val_path), or null for none. For pretraining a prepared folder: its "val" split
    /// (the Prem-1B recipe points val_path at the training folder), or its "train" split when it has no "val" split
    /// and is not the training folder. For SFT a JSONL file.
    /// </summary>
    public string? ValPath { get; init; }

    /// <summary>Tokens per row (max_seq_length): the packed window for pretraining, the cut-off for SFT; null uses the prepared corpus's (pretraining) or 8192 (SFT).</summary>
    public int? MaxSeqLength { get; init; }

    /// <summary>Rows per micro-batch (batch_size).</summary>
    public int BatchSize { get; init; } = 2;

    /// <summary>Tokenizer folder or file (dataset_tokenizer); null uses the model folder's.</summary>
    public string? DatasetTokenizer { get; init; }

    /// <summary>
    /// SFT only (replace_invalid_utf8): bytes of the JSONL files that are not UTF-8 become U+FFFD, counted per file;
    /// false (the default) fails naming file and byte offset. A pretraining corpus is checked by <c>prem prepare</c>.
    /// </summary>
    public bool ReplaceInvalidUtf8 { get; init; }
    /// <summary>SFT chat template (chat_template): a Jinja file or "llama3"; null uses the tokenizer folder's, else the Llama-3 template of the Prem-1B recipe.</summary>
    public string? ChatTemplate { get; init; }
}
