using Prem.Llm.Text;

namespace Prem.Llm.Data;

/// <summary>Settings of <see cref="SftDataset"/>; the defaults are the Prem-1B recipe's chat fine-tuning.</summary>
public sealed record SftOptions
{
    /// <summary>The system prompt the Prem-1B recipe added to conversations that have none.</summary>
    public const string SeedSystemPrompt = "You are a helpful AI assistant.";

    /// <summary>Longest example in tokens; longer ones are cut from the right, labels with them (seed: 8192).</summary>
    public int MaxSeqLength { get; init; } = 8192;

    /// <summary>Which assistant turns are trained (all, as the Prem-1B recipe did, or only the last).</summary>
    public AssistantTurns TrainOn { get; init; } = AssistantTurns.All;

    /// <summary>Inserted as the first message where a conversation has no system message; null inserts nothing.</summary>
    public string? DefaultSystemPrompt { get; init; } = SeedSystemPrompt;

    /// <summary>
    /// Pack examples into rows of <see cref="MaxSeqLength"/> tokens with per-token document ids (see
    /// <see cref="SftPacker"/>). Off by default: the Prem-1B recipe trained without packing.
    /// </summary>
    public bool Packing { get; init; }

    /// <summary>
    /// Skip and count malformed lines, invalid conversations and records left without trained tokens by
    /// truncation, instead of throwing <see cref="DataFormatException"/>.
    /// </summary>
    public bool SkipInvalid { get; init; }

    /// <summary>
    /// Replace byte sequences that are not UTF-8 with U+FFFD and count them per file (<see cref="ChatDatasetSummary.InvalidUtf8Replaced"/>)
    /// instead of throwing a <see cref="DataFormatException"/> naming the file and byte offset.
    /// </summary>
    public bool ReplaceInvalidUtf8 { get; init; }

    /// <summary>The chat template; null picks <see cref="Llama3ChatTemplate"/> with the tokenizer's BOS text.</summary>
    public IChatTemplate? Template { get; init; }
}
