using Prem.Llm.Text;

namespace Prem.Llm.Data;

/// <summary>
/// Tokenizes preference pairs for DPO. The prompt is the template with the generation prompt; each
/// response is what the whole conversation (prompt turns + the assistant reply) adds after it: the
/// assistant content and its <c>&lt;|eot_id|&gt;</c>. Taking the response as the suffix of one encoding
/// means there is no second BOS and the ids are exactly those of the full conversation; a record whose
/// prompt ids are not a prefix of the conversation's (a template whose generation prompt is not how it opens an
/// assistant turn) is split instead where the reply's labels start, the same way for any template; only when the
/// chosen and rejected conversations then disagree on the prompt is it refused (<see cref="ChatSkipReasons.PromptNotPrefix"/>).
/// <para>
/// Truncation follows the Prem-1B recipe's DPO config (TRL's <c>max_length</c>/<c>max_prompt_length</c> with
/// <c>truncation_mode="keep_end"</c>), see <see cref="Truncate"/>.
/// </para>
/// </summary>
internal sealed class PreferenceEncoder
{
    private readonly ConversationEncoder _encoder;
    private readonly ConversationEncoder _lastTurn;
    private readonly int? _endHeaderId;

    /// <summary>Creates an encoder for <paramref name="tokenizer"/> with <paramref name="options"/>' template and lengths.</summary>
    public PreferenceEncoder(ITextTokenizer tokenizer, PreferenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        Options = options ?? new PreferenceOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.MaxPromptLength, nameof(Options.MaxPromptLength));
        if (Options.MaxLength <= Options.MaxPromptLength)
            throw new ArgumentOutOfRangeException(nameof(options), $"MaxLength {Options.MaxLength} must exceed MaxPromptLength {Options.MaxPromptLength}.");
        _encoder = new ConversationEncoder(tokenizer, Options.Template ?? SftDataset.DefaultTemplate(tokenizer),
            new ConversationEncoderOptions { DefaultSystemPrompt = Options.DefaultSystemPrompt });
        _lastTurn = new ConversationEncoder(tokenizer, Options.Template ?? SftDataset.DefaultTemplate(tokenizer),
            new ConversationEncoderOptions { DefaultSystemPrompt = Options.DefaultSystemPrompt, TrainOn = AssistantTurns.Last });
        _endHeaderId = tokenizer.TokenToId(Llama3ChatTemplate.EndHeader);
    }

    /// <summary>The options in force.</summary>
    public PreferenceOptions Options { get; }

    /// <summary>Encodes and truncates one pair; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="DataFormatException">An invalid prompt, or the prompt ids are not a prefix of the conversation's.</exception>
    public PreferenceExample Encode(IReadOnlyList<ChatMessage> prompt, string chosen, string rejected, string source = "record")
    {
        try
        {
            return EncodeCore(prompt, chosen, rejected, source);
        }
        catch (ChatRecordProblem p)
        {
            throw new DataFormatException($"{source}: {p.Message} [{p.Reason}]", inner: p);
        }
    }

    /// <summary>
    /// The tokens kept at the start when the prompt is cut from the left: BOS and the first message's header,
    /// i.e. everything up to and including the first <c>&lt;|end_header_id|&gt;</c> (BOS alone when the
    /// vocabulary has no such token). The first message's content is what gets cut.
    /// </summary>
    public int HeadLength(ReadOnlySpan<int> promptIds)
    {
        int end = _endHeaderId is { } id ? promptIds.IndexOf(id) : -1;
        return end >= 0 ? end + 1 : Math.Min(1, promptIds.Length);
    }

    /// <summary>
    /// The Prem-1B recipe's truncation. When prompt + the longer response exceed <paramref name="maxLength"/>, a prompt
    /// longer than <paramref name="maxPromptLength"/> is cut from the left to that length, keeping its first
    /// <paramref name="headLength"/> tokens (so it still opens with BOS and the first header, and still ends
    /// with the generation prompt); if the total still exceeds <paramref name="maxLength"/>, both responses are
    /// cut from the right to <c>maxLength − prompt length</c>. (TRL cuts them to <c>maxLength − maxPromptLength</c>,
    /// which is the same when the prompt was cut and wastes room when it was not.)
    /// </summary>
    public static (int[] Prompt, int[] Chosen, int[] Rejected) Truncate(int[] prompt, int[] chosen, int[] rejected, int headLength, int maxLength, int maxPromptLength)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(chosen);
        ArgumentNullException.ThrowIfNull(rejected);
        if (maxPromptLength <= headLength || maxLength <= maxPromptLength)
            throw new ArgumentOutOfRangeException(nameof(maxPromptLength), $"need head {headLength} < max_prompt_length {maxPromptLength} < max_length {maxLength}.");
        int longer = Math.Max(chosen.Length, rejected.Length);
        if (prompt.Length + longer > maxLength && prompt.Length > maxPromptLength)
            prompt = [.. prompt[..headLength], .. prompt[^(maxPromptLength - headLength)..]];
        int room = maxLength - prompt.Length;
        if (longer > room)
        {
            if (chosen.Length > room) chosen = chosen[..room];
            if (rejected.Length > room) rejected = rejected[..room];
        }
        return (prompt, chosen, rejected);
    }

    internal PreferenceExample EncodeCore(IReadOnlyList<ChatMessage> prompt, string chosen, string rejected, string source)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var promptIds = Run(() => _encoder.Encode(prompt, addGenerationPrompt: true, source)!.InputIds, source);
        int[] chosenIds, rejectedIds;
        try
        {
            chosenIds = Response(prompt, chosen, promptIds, source, "chosen");
            rejectedIds = Response(prompt, rejected, promptIds, source, "rejected");
        }
        catch (ChatRecordProblem problem) when (problem.Reason == ChatSkipReasons.PromptNotPrefix)
        {
            var (chosenPrompt, chosenReply) = SplitAtReply(prompt, chosen, source);
            var (rejectedPrompt, rejectedReply) = SplitAtReply(prompt, rejected, source);
            if (!chosenPrompt.AsSpan().SequenceEqual(rejectedPrompt))
                throw new ChatRecordProblem(ChatSkipReasons.PromptNotPrefix, "the chosen and rejected conversations do not share the tokens before the reply.", "chosen");
            (promptIds, chosenIds, rejectedIds) = (chosenPrompt, chosenReply, rejectedReply);
        }
        var (p, c, r) = Truncate(promptIds, chosenIds, rejectedIds, HeadLength(promptIds), Options.MaxLength, Options.MaxPromptLength);
        bool truncated = p.Length != promptIds.Length || c.Length != chosenIds.Length || r.Length != rejectedIds.Length;
        return new PreferenceExample(p, c, r, source, truncated);
    }

    private int[] Response(IReadOnlyList<ChatMessage> prompt, string reply, int[] promptIds, string source, string side)
    {
        var full = Run(() => _encoder.Encode([.. prompt, new ChatMessage(ChatMessage.Assistant, reply)], false, source)!.InputIds, source);
        if (full.Length <= promptIds.Length || !full.AsSpan(0, promptIds.Length).SequenceEqual(promptIds))
            throw new ChatRecordProblem(ChatSkipReasons.PromptNotPrefix,
                $"the prompt's {promptIds.Length} tokens are not a prefix of the {side} conversation's {full.Length} tokens.", side);
        return full[promptIds.Length..];
    }

    // The whole conversation cut where the reply's trained tokens start (for templates whose generation prompt is not a prefix).
    private (int[] Prompt, int[] Response) SplitAtReply(IReadOnlyList<ChatMessage> prompt, string reply, string source)
    {
        EncodedConversation? full = null;
        Run(() => (full = _lastTurn.Encode([.. prompt, new ChatMessage(ChatMessage.Assistant, reply)], false, source)!).InputIds, source);
        int start = Array.FindIndex(full!.Labels, l => l != ConversationEncoder.IgnoreIndex);
        if (start <= 0) throw new ChatRecordProblem(ChatSkipReasons.PromptNotPrefix, "the reply has no trained tokens after the prompt.", "chosen");
        return (full.InputIds[..start], full.InputIds[start..]);
    }

    private static int[] Run(Func<int[]> encode, string source)
    {
        try
        {
            return encode();
        }
        catch (TextDataException e)
        {
            throw new ChatRecordProblem(ChatSkipReasons.InvalidConversation, e.Message.StartsWith(source + ": ", StringComparison.Ordinal) ? e.Message[(source.Length + 2)..] : e.Message, inner: e);
        }
    }
}
