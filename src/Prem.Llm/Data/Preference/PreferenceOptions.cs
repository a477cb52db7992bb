using Prem.Llm.Text;

namespace Prem.Llm.Data;

/// <summary>Settings of <see cref="PreferenceDataset"/>; the length defaults are the Prem-1B recipe's DPO config.</summary>
public sealed record PreferenceOptions
{
    /// <summary>Longest prompt + response in tokens (seed: 8192); responses are cut from the right to fit.</summary>
    public int MaxLength { get; init; } = 8192;

    /// <summary>Length the prompt is cut to, from the left, when prompt + longer response exceed <see cref="MaxLength"/> (seed: 1000).</summary>
    public int MaxPromptLength { get; init; } = 1000;

    /// <summary>
    /// Inserted as the first message where a prompt has no system message; null (the default) inserts
    /// nothing, as TRL's DPO trainer does.
    /// </summary>
    public string? DefaultSystemPrompt { get; init; }

    /// <summary>Skip and count malformed lines and invalid records instead of throwing <see cref="DataFormatException"/>.</summary>
    public bool SkipInvalid { get; init; }

    /// <summary>
    /// Replace byte sequences that are not UTF-8 with U+FFFD and count them per file (<see cref="ChatDatasetSummary.InvalidUtf8Replaced"/>)
    /// instead of throwing a <see cref="DataFormatException"/> naming the file and byte offset.
    /// </summary>
    public bool ReplaceInvalidUtf8 { get; init; }

    /// <summary>The chat template; null picks <see cref="Llama3ChatTemplate"/> with the tokenizer's BOS text.</summary>
    public IChatTemplate? Template { get; init; }
}
