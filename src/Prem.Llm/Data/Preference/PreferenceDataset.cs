using Prem.Llm.Text;

namespace Prem.Llm.Data;

/// <summary>
/// A DPO data set in memory: JSONL records <c>{"prompt", "chosen", "rejected"}</c>, each field a string or a
/// message list (string replies answer the prompt; list replies are whole conversations that share the prompt
/// turns, which are validated and stripped), tokenized and truncated by <see cref="PreferenceEncoder"/>.
/// </summary>
public sealed class PreferenceDataset
{
    private PreferenceDataset(IReadOnlyList<PreferenceExample> examples, ChatDatasetSummary summary, PreferenceOptions options, int padId)
    {
        Examples = examples;
        Summary = summary;
        Options = options;
        PadId = padId;
    }

    /// <summary>The pairs, one per kept record, in file order.</summary>
    public IReadOnlyList<PreferenceExample> Examples { get; }

    /// <summary>Counts of what was read, kept, skipped and truncated.</summary>
    public ChatDatasetSummary Summary { get; }

    /// <summary>The options it was loaded with.</summary>
    public PreferenceOptions Options { get; }

    /// <summary>The padding id the collator uses (<see cref="SftCollator.PadIdOf"/>).</summary>
    public int PadId { get; }

    /// <summary>Loads <paramref name="path"/> (a JSONL file, optionally .gz/.zst, or a folder of them).</summary>
    /// <exception cref="DataFormatException">A bad record (file and line named), unless <see cref="PreferenceOptions.SkipInvalid"/>.</exception>
    public static PreferenceDataset Load(string path, ITextTokenizer tokenizer, PreferenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var encoder = new PreferenceEncoder(tokenizer, options);
        var skipped = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var replaced = encoder.Options.ReplaceInvalidUtf8 ? new Utf8Replacements() : null;
        var examples = ChatJsonlReader.Load(path, (json, record) =>
        {
            var r = PreferenceRecord.Read(json, record.FilePath, record.Line);
            return encoder.EncodeCore(r.Prompt, r.Chosen, r.Rejected, $"{record.FilePath}:{record.Line}");
        }, encoder.Options.SkipInvalid, skipped, out long records, replaced);
        var summary = new ChatDatasetSummary
        {
            Records = records,
            Examples = examples.Count,
            Skipped = skipped,
            Tokens = examples.Sum(e => (long)e.PromptIds.Length + e.ChosenIds.Length + e.RejectedIds.Length),
            TrainedTokens = examples.Sum(e => (long)e.ChosenIds.Length + e.RejectedIds.Length),
            Truncated = examples.Count(e => e.Truncated),
            InvalidUtf8Replaced = replaced?.ToSorted() ?? new SortedDictionary<string, long>(),
        };
        return new PreferenceDataset(examples, summary, encoder.Options, SftCollator.PadIdOf(tokenizer));
    }
}
