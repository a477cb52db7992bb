using System.Collections.Concurrent;

namespace Prem.Llm.Text;

/// <summary>
/// Tokenizes a conversation into input ids and labels. Labels carry the id on each trained assistant
/// turn's content tokens and its closing end-of-turn token; BOS, headers, role names, the "\n\n" after
/// headers and all system and user turns get <see cref="IgnoreIndex"/>.
/// <para>
/// Control tokens come only from the template, placed by id. Message text is encoded as text, so a user
/// who types "&lt;|eot_id|&gt;" or "&lt;s&gt;" gets those characters, not the control tokens (HF's
/// <c>apply_chat_template</c> + tokenize would inject them). For text without such strings the ids equal
/// HF's tokenization of the rendered template.
/// </para>
/// </summary>
public sealed class ConversationEncoder
{
    /// <summary>The label of a token that is not trained (PyTorch's cross-entropy ignore_index).</summary>
    public const int IgnoreIndex = -100;

    readonly ITextTokenizer _tokenizer;
    readonly IChatTemplate _template;
    readonly ConcurrentDictionary<string, int> _skipped = new(StringComparer.Ordinal);

    /// <summary>Creates an encoder over <paramref name="tokenizer"/> and <paramref name="template"/>.</summary>
    public ConversationEncoder(ITextTokenizer tokenizer, IChatTemplate template, ConversationEncoderOptions? options = null)
    {
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _template = template ?? throw new ArgumentNullException(nameof(template));
        Options = options ?? new ConversationEncoderOptions();
    }

    /// <summary>The options in force.</summary>
    public ConversationEncoderOptions Options { get; }

    /// <summary>How many conversations were skipped (with <see cref="ConversationEncoderOptions.SkipInvalid"/>).</summary>
    public int SkippedCount => _skipped.Values.Sum();

    /// <summary>Skipped conversations by reason.</summary>
    public IReadOnlyDictionary<string, int> SkippedByReason => new Dictionary<string, int>(_skipped);

    /// <summary>
    /// Encodes <paramref name="messages"/>; <paramref name="record"/> names the conversation in errors (e.g.
    /// "train.jsonl:17"). Invalid input throws <see cref="TextDataException"/>, or returns null and is counted when
    /// <see cref="ConversationEncoderOptions.SkipInvalid"/> is set.
    /// </summary>
    public EncodedConversation? Encode(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = false, string record = "conversation")
    {
        string? problem = Validate(messages, addGenerationPrompt);
        if (problem is not null)
        {
            if (!Options.SkipInvalid) throw new TextDataException(record, problem);
            _skipped.AddOrUpdate(ReasonKey(problem), 1, (_, n) => n + 1);
            return null;
        }
        var conversation = WithDefaultSystemPrompt(messages);
        var trained = TrainedMessages(conversation);
        IReadOnlyList<ChatSegment> segments;
        try
        {
            segments = _template is JinjaChatTemplate jinja && Options.TemplateVariables is { } kwargs
                ? jinja.RenderSegments(conversation, addGenerationPrompt, kwargs)
                : _template.RenderSegments(conversation, addGenerationPrompt);
        }
        catch (Exception e) when (e is Templates.TemplateException or ChatTemplateLocateException)
        {
            string problem2 = "chat template: " + e.Message;
            if (!Options.SkipInvalid) throw new TextDataException(record, problem2, inner: e);
            _skipped.AddOrUpdate(e is ChatTemplateLocateException ? "assistant turn not located" : "chat template error", 1, (_, n) => n + 1);
            return null;
        }
        var ids = new List<int>();
        var labels = new List<int>();
        bool afterControl = false;
        foreach (var segment in segments)
        {
            bool train = segment.LabelFrom >= 0 && segment.MessageIndex >= 0 && trained.Contains(segment.MessageIndex);
            if (segment.IsControl)
            {
                int id = _tokenizer.TokenToId(segment.Text)
                    ?? throw new TextDataException(record, $"the template's control token '{segment.Text}' is not in the tokenizer's vocabulary.");
                ids.Add(id);
                labels.Add(train ? id : IgnoreIndex);
                afterControl = true;
                continue;
            }
            var full = _tokenizer.EncodeSegment(segment.Text, afterControl);
            int untrained = full.Count;
            if (train)
            {
                // Tokens that match the encoding of the untrained head ("\n\n") stay untrained; from the first
                // token that differs on, every token holds content, so it is trained.
                var head = segment.LabelFrom == 0 ? [] : _tokenizer.EncodeSegment(segment.Text[..segment.LabelFrom], afterControl);
                untrained = 0;
                while (untrained < head.Count && untrained < full.Count && head[untrained] == full[untrained]) untrained++;
            }
            for (int k = 0; k < full.Count; k++)
            {
                ids.Add(full[k]);
                labels.Add(k < untrained ? IgnoreIndex : full[k]);
            }
            afterControl = false;
        }
        return new EncodedConversation([.. ids], [.. labels]);
    }

    string? Validate(IReadOnlyList<ChatMessage>? messages, bool addGenerationPrompt)
    {
        if (messages is null || messages.Count == 0) return "empty conversation.";
        for (int i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (m is null || m.Role is null || m.Content is null) return $"message {i} has no role or no content.";
            if (!Options.Roles.Contains(m.Role)) return $"unknown role '{m.Role}' in message {i} (expected {string.Join(", ", Options.Roles)}).";
        }
        if (Options.RequireAssistantTurn && !addGenerationPrompt && !messages.Any(m => m.Role == ChatMessage.Assistant)) return "no assistant turn to train on.";
        return null;
    }

    // Groups reasons without their message numbers so counts aggregate ("unknown role", …).
    static string ReasonKey(string problem)
    {
        if (problem.StartsWith("unknown role", StringComparison.Ordinal)) return "unknown role";
        if (problem.StartsWith("message ", StringComparison.Ordinal)) return "missing role or content";
        return problem.TrimEnd('.');
    }

    IReadOnlyList<ChatMessage> WithDefaultSystemPrompt(IReadOnlyList<ChatMessage> messages)
    {
        if (Options.DefaultSystemPrompt is null || messages.Any(m => m.Role == ChatMessage.System)) return messages;
        return [new ChatMessage(ChatMessage.System, Options.DefaultSystemPrompt), .. messages];
    }

    HashSet<int> TrainedMessages(IReadOnlyList<ChatMessage> messages)
    {
        var assistant = Enumerable.Range(0, messages.Count).Where(i => messages[i].Role == ChatMessage.Assistant).ToList();
        if (Options.TrainOn == AssistantTurns.Last && assistant.Count > 0) assistant = [assistant[^1]];
        return [.. assistant];
    }
}
