using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Data;

/// <summary>
/// A supervised fine-tuning data set in memory: JSONL records <c>{"messages": [{"role", "content"}, …]}</c>
/// or <c>{"prompt", "completion"}</c> (each a string — a user and an assistant turn — or a message list),
/// rendered with the chat template and labelled by <see cref="ConversationEncoder"/> (assistant content and
/// its end-of-turn token only), then cut to <see cref="SftOptions.MaxSeqLength"/> from the right, labels
/// with the ids. A record whose trained tokens all fall past the cut is an error, or skipped under
/// <see cref="ChatSkipReasons.NoTrainableTokens"/>.
/// </summary>
public sealed class SftDataset
{
    private SftDataset(IReadOnlyList<SftExample> examples, IReadOnlyList<SftExample> rows, ChatDatasetSummary summary, SftOptions options, int padId)
    {
        Examples = examples;
        Rows = rows;
        Summary = summary;
        Options = options;
        PadId = padId;
    }

    /// <summary>The examples, one per kept record, in file order.</summary>
    public IReadOnlyList<SftExample> Examples { get; }

    /// <summary>What the loader batches: <see cref="Examples"/>, or the packed rows when <see cref="SftOptions.Packing"/> is on.</summary>
    public IReadOnlyList<SftExample> Rows { get; }

    /// <summary>Counts of what was read, kept, skipped and truncated.</summary>
    public ChatDatasetSummary Summary { get; }

    /// <summary>The options it was loaded with.</summary>
    public SftOptions Options { get; }

    /// <summary>The padding id the collator uses (<see cref="SftCollator.PadIdOf"/>).</summary>
    public int PadId { get; }

    /// <summary>Loads <paramref name="path"/> (a JSONL file, optionally .gz/.zst, or a folder of them).</summary>
    /// <exception cref="DataFormatException">A bad record (file and line named), unless <see cref="SftOptions.SkipInvalid"/>.</exception>
    public static SftDataset Load(string path, ITextTokenizer tokenizer, SftOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        options ??= new SftOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxSeqLength, 2, nameof(options.MaxSeqLength));
        var encoder = new ConversationEncoder(tokenizer, options.Template ?? DefaultTemplate(tokenizer),
            new ConversationEncoderOptions { TrainOn = options.TrainOn, DefaultSystemPrompt = options.DefaultSystemPrompt });
        var skipped = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var replaced = options.ReplaceInvalidUtf8 ? new Utf8Replacements() : null;
        var examples = ChatJsonlReader.Load(path, (json, record) => Encode(json, record, encoder, options.MaxSeqLength),
            options.SkipInvalid, skipped, out long records, replaced);
        var rows = options.Packing ? SftPacker.Pack(examples, options.MaxSeqLength) : examples;
        var summary = new ChatDatasetSummary
        {
            Records = records,
            Examples = examples.Count,
            Skipped = skipped,
            Tokens = examples.Sum(e => (long)e.Length),
            TrainedTokens = examples.Sum(e => (long)e.TrainedTokenCount),
            Truncated = examples.Count(e => e.Truncated),
            InvalidUtf8Replaced = replaced?.ToSorted() ?? new SortedDictionary<string, long>(),
        };
        return new SftDataset(examples, rows, summary, options, SftCollator.PadIdOf(tokenizer));
    }

    /// <summary>
    /// The messages of one record: <c>messages</c>, or <c>prompt</c> followed by <c>completion</c> (a string
    /// prompt is a user turn, a string completion an assistant turn).
    /// </summary>
    internal static List<ChatMessage> ReadConversation(JsonElement json, string file, long line)
    {
        if (json.TryGetProperty("messages", out _))
            return ChatJson.Read(json, "messages", required: true, file, line)!.Value.Messages
                ?? throw new ChatRecordProblem(SkipReasons.WrongType, "expected a message list, found a string.", "messages");
        if (!json.TryGetProperty("prompt", out _) && !json.TryGetProperty("completion", out _))
            throw new ChatRecordProblem(SkipReasons.MissingField, "missing: a record needs 'messages' or 'prompt' and 'completion'.", "messages");
        var prompt = ChatJson.Read(json, "prompt", required: true, file, line)!.Value;
        var completion = ChatJson.Read(json, "completion", required: true, file, line)!.Value;
        return [.. ChatJson.Turns(prompt, ChatMessage.User), .. ChatJson.Turns(completion, ChatMessage.Assistant)];
    }

    /// <summary>Llama-3's template with the tokenizer's own BOS text: <c>&lt;|begin_of_text|&gt;</c> when that is its BOS, else <c>&lt;s&gt;</c>.</summary>
    internal static IChatTemplate DefaultTemplate(ITextTokenizer tokenizer) =>
        tokenizer.TokenToId("<|begin_of_text|>") == tokenizer.BosId ? Llama3ChatTemplate.Llama3 : Llama3ChatTemplate.Llama2Vocabulary;

    private static SftExample Encode(JsonElement json, CorpusRecord record, ConversationEncoder encoder, int maxSeqLength)
    {
        var messages = ReadConversation(json, record.FilePath, record.Line);
        string source = $"{record.FilePath}:{record.Line}";
        EncodedConversation encoded;
        try
        {
            encoded = encoder.Encode(messages, record: source)!;
        }
        catch (TextDataException e)
        {
            throw new ChatRecordProblem(ChatSkipReasons.InvalidConversation, e.Message[(source.Length + 2)..], inner: e);
        }
        var example = new SftExample(encoded.InputIds, encoded.Labels, source);
        if (example.Length <= maxSeqLength) return example;
        var cut = new SftExample(encoded.InputIds[..maxSeqLength], encoded.Labels[..maxSeqLength], source, Truncated: true);
        if (cut.TrainedTokenCount == 0)
            throw new ChatRecordProblem(ChatSkipReasons.NoTrainableTokens,
                $"all {encoded.TrainedTokenCount} trained tokens lie past max_seq_length {maxSeqLength} (the conversation has {example.Length} tokens).");
        return cut;
    }
}
