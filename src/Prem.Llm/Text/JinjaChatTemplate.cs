using Prem.Llm.Text.Templates;

namespace Prem.Llm.Text;

/// <summary>
/// A model's own chat template (the Jinja <c>chat_template</c> of its <c>tokenizer_config.json</c>) rendered
/// exactly as transformers' <c>apply_chat_template</c> renders it (<see cref="JinjaTemplate"/>), with
/// the segments the encoders need: control tokens placed by id, assistant turns located for labels.
/// <para>
/// Assistant turns are found in the render of the <b>whole</b> conversation: it is rendered again with
/// the turn's content replaced by a sentinel and the two renders are diffed (as axolotl does); when the
/// template changes the content too much for that (Qwen3's last turn with its reasoning block), the
/// turn's end is found by appending the sentinel and its start by where the render changes. A
/// template's <c>{% generation %}</c> blocks, when it has them, mark the trained text instead.
/// </para>
/// <para>
/// Control tokens (<see cref="ControlTokens"/>: the folder's added tokens) are matched only in the
/// template's own text: a message that contains such a string is located the same way and its text stays
/// text. <see cref="ControlTokensInContent"/> gives HF's behaviour instead (every match is a control token).
/// </para>
/// </summary>
public sealed class JinjaChatTemplate : IChatTemplate
{
    /// <summary>Meta's Llama-3 Instruct template (as in Llama-3.1's tokenizer_config.json): the Prem-1B recipe's chat format.</summary>
    public static string Llama3Source { get; } =
        "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}" +
        "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

    static readonly IReadOnlyDictionary<string, object?> _noVariables = new Dictionary<string, object?>();

    readonly Dictionary<char, string[]> _controlByFirstChar;

    /// <summary>
    /// Creates a template from Jinja <paramref name="source"/>. <paramref name="controlTokens"/> are the strings the
    /// tokenizer places by id (the special tokens are added to them); a syntax error throws <see cref="TemplateException"/>.
    /// </summary>
    public JinjaChatTemplate(string source, string? bosToken = null, string? eosToken = null, IEnumerable<string>? controlTokens = null, string? unkToken = null, string? padToken = null)
    {
        Template = JinjaTemplate.Parse(source);
        BosToken = bosToken;
        EosToken = eosToken;
        UnkToken = unkToken;
        PadToken = padToken;
        var control = new HashSet<string>(controlTokens ?? [], StringComparer.Ordinal);
        foreach (string? t in new[] { bosToken, eosToken, unkToken, padToken }) if (!string.IsNullOrEmpty(t)) control.Add(t);
        control.RemoveWhere(string.IsNullOrEmpty);
        ControlTokens = [.. control.OrderBy(t => t, StringComparer.Ordinal)];
        _controlByFirstChar = control.GroupBy(t => t[0]).ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Length).ToArray());
    }

    /// <summary>The Llama-3 template of the Prem-1B recipe with <paramref name="bosToken"/> ("&lt;s&gt;" for Llama-2 vocabularies).</summary>
    public static JinjaChatTemplate Llama3(string bosToken = "<|begin_of_text|>") =>
        new(Llama3Source, bosToken, controlTokens: [Llama3ChatTemplate.StartHeader, Llama3ChatTemplate.EndHeader, Llama3ChatTemplate.EndOfTurn]);

    /// <summary>
    /// The chat template of an HF folder's <c>tokenizer_config.json</c>, with the folder's special and added tokens;
    /// null when the folder has none. <paramref name="name"/> picks one of a named list (default "default").
    /// </summary>
    public static JinjaChatTemplate? FromFolder(string folder, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var config = HfTokenizerConfig.Read(folder);
        if (config.ChatTemplates.Count == 0) return null;
        string key = name ?? "default";
        if (!config.ChatTemplates.TryGetValue(key, out var source))
            throw new TextDataException(Path.Combine(folder, "tokenizer_config.json"), $"no chat template named '{key}' (it has {string.Join(", ", config.ChatTemplates.Keys)}).", "chat_template");
        try
        {
            // Special added tokens are placed by id; non-special ones (Qwen's <think>) are left to the tokenizer, which matches them in any text as HF does.
            return new JinjaChatTemplate(source, config.BosToken, config.EosToken, config.AddedTokens.Where(t => t.Special).Select(t => t.Content), config.UnkToken, config.PadToken);
        }
        catch (TemplateException e)
        {
            throw new TextDataException(Path.Combine(folder, "tokenizer_config.json"), "chat_template: " + e.Message, "chat_template", inner: e);
        }
    }

    /// <summary>The parsed Jinja template.</summary>
    public JinjaTemplate Template { get; }

    /// <summary>The <c>bos_token</c> variable.</summary>
    public string? BosToken { get; }

    /// <summary>The <c>eos_token</c> variable.</summary>
    public string? EosToken { get; }

    /// <summary>The <c>unk_token</c> variable.</summary>
    public string? UnkToken { get; }

    /// <summary>The <c>pad_token</c> variable.</summary>
    public string? PadToken { get; }

    /// <summary>The strings that become control tokens (by id) where the template itself writes them.</summary>
    public IReadOnlyList<string> ControlTokens { get; }

    /// <summary>Extra keyword arguments for every render (transformers' <c>chat_template_kwargs</c>, e.g. Qwen3's <c>enable_thinking</c>).</summary>
    public IReadOnlyDictionary<string, object?> Variables { get; init; } = _noVariables;

    /// <summary>
    /// HF's behaviour: control-token strings inside message text become control tokens too (as
    /// <c>apply_chat_template(tokenize=True)</c> does). Off by default: message text stays text.
    /// </summary>
    public bool ControlTokensInContent { get; init; }

    /// <summary>What <c>strftime_now</c> formats; null is the local time (transformers' behaviour).</summary>
    public DateTime? Now { get; init; }

    /// <inheritdoc/>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) => Render(messages, addGenerationPrompt, null);

    /// <summary>Renders with extra keyword arguments on top of <see cref="Variables"/>; a template that raises throws <see cref="TemplateException"/>.</summary>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, IReadOnlyDictionary<string, object?>? kwargs) =>
        Template.RenderTracked(BuildVariables(MessageValues(messages), addGenerationPrompt, kwargs), Now).Text;

    /// <summary>Renders JSON messages as given (content strings or lists of parts, tool calls, any field), as HF does.</summary>
    public string Render(System.Text.Json.JsonElement messages, bool addGenerationPrompt, IReadOnlyDictionary<string, object?>? kwargs = null) =>
        Template.RenderTracked(BuildVariables(TemplateValues.From(messages), addGenerationPrompt, kwargs), Now).Text;

    /// <inheritdoc/>
    public IReadOnlyList<ChatSegment> RenderSegments(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) =>
        RenderSegments(messages, addGenerationPrompt, null);

    /// <summary>
    /// The segments of the whole conversation's render (see the class remarks). A turn that cannot be located
    /// throws <see cref="ChatTemplateLocateException"/> naming it.
    /// </summary>
    public IReadOnlyList<ChatSegment> RenderSegments(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, IReadOnlyDictionary<string, object?>? kwargs)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var (text, generation) = Template.RenderTracked(BuildVariables(MessageValues(messages), addGenerationPrompt, kwargs), Now);
        var located = new (int Start, int End)?[messages.Count];
        var protectedRanges = new List<(int Start, int End)>();
        for (int i = 0; i < messages.Count; i++)
        {
            bool assistant = messages[i].Role == ChatMessage.Assistant && !Template.HasGenerationBlocks;
            bool hasControl = !ControlTokensInContent && ContainsControl(messages[i].Content);
            if (!assistant && !hasControl) continue;
            located[i] = Locate(messages, i, addGenerationPrompt, kwargs, text)
                ?? throw new ChatTemplateLocateException(i, messages[i].Role);
            if (hasControl) protectedRanges.Add(located[i]!.Value);
        }
        // Trained ranges: generation blocks, or the located assistant contents (plus the control token right after).
        var trained = new List<(int Start, int End, int Message, bool EndToken)>();
        if (Template.HasGenerationBlocks)
        {
            var assistants = Enumerable.Range(0, messages.Count).Where(i => messages[i].Role == ChatMessage.Assistant).ToList();
            for (int k = 0; k < generation.Count; k++)
                trained.Add((generation[k].Start, generation[k].End, k < assistants.Count ? assistants[k] : (assistants.Count > 0 ? assistants[^1] : -1), false));
        }
        else
        {
            for (int i = 0; i < messages.Count; i++)
                if (messages[i].Role == ChatMessage.Assistant && located[i] is { } r) trained.Add((r.Start, r.End, i, true));
        }
        return Segment(text, protectedRanges, trained);
    }

    IReadOnlyList<ChatSegment> Segment(string text, List<(int Start, int End)> protectedRanges, List<(int Start, int End, int Message, bool EndToken)> trained)
    {
        var segments = new List<ChatSegment>();
        int textStart = 0;
        void FlushText(int end)
        {
            // Split the text run at the ends of trained ranges; a trained range starting inside a run marks LabelFrom.
            int a = textStart;
            while (a < end)
            {
                int b = end;
                foreach (var t in trained) if (t.End > a && t.End < b && t.Start < t.End) b = t.End;
                int message = -1, labelFrom = -1;
                foreach (var t in trained)
                {
                    if (t.Start >= t.End || t.End <= a || t.Start >= b) continue;
                    message = t.Message;
                    labelFrom = Math.Max(0, t.Start - a);
                    break;
                }
                segments.Add(new ChatSegment(text[a..b], false, message, labelFrom));
                a = b;
            }
            textStart = end;
        }
        for (int i = 0; i < text.Length;)
        {
            string? token = ProtectedAt(protectedRanges, i) ? null : ControlAt(text, i);
            if (token is null)
            {
                i++;
                continue;
            }
            FlushText(i);
            int message = -1, labelFrom = -1;
            foreach (var t in trained)
            {
                if ((i >= t.Start && i < t.End) || (t.EndToken && i == t.End))
                {
                    message = t.Message;
                    labelFrom = 0;
                    break;
                }
            }
            segments.Add(new ChatSegment(token, true, message, labelFrom));
            i += token.Length;
            textStart = i;
        }
        FlushText(text.Length);
        return segments;
    }

    static bool ProtectedAt(List<(int Start, int End)> ranges, int i)
    {
        foreach (var (start, end) in ranges) if (i >= start && i < end) return true;
        return false;
    }

    string? ControlAt(string text, int i)
    {
        if (!_controlByFirstChar.TryGetValue(text[i], out var candidates)) return null;
        foreach (string c in candidates) if (string.CompareOrdinal(text, i, c, 0, c.Length) == 0) return c;
        return null;
    }

    bool ContainsControl(string content)
    {
        for (int i = 0; i < content.Length; i++) if (ControlAt(content, i) is not null) return true;
        return false;
    }

    // Finds message i's content in the full render `full` (see the class remarks); null when it cannot.
    (int Start, int End)? Locate(IReadOnlyList<ChatMessage> messages, int i, bool addGenerationPrompt, IReadOnlyDictionary<string, object?>? kwargs, string full)
    {
        string content = messages[i].Content;
        string sentinel = Sentinel(content);
        string Rendered(string replacement)
        {
            var copy = messages.ToArray();
            copy[i] = messages[i] with { Content = replacement };
            try
            {
                return Template.RenderTracked(BuildVariables(MessageValues(copy), addGenerationPrompt, kwargs), Now).Text;
            }
            catch (TemplateException)
            {
                return "";
            }
        }
        // 1. Content replaced by the sentinel: the renders differ exactly where the content is.
        string replaced = Rendered(sentinel);
        int p = CommonPrefix(full, replaced);
        int s = CommonSuffix(full, replaced, Math.Min(full.Length, replaced.Length) - p);
        if (replaced.Length - s - p == sentinel.Length && string.CompareOrdinal(replaced, p, sentinel, 0, sentinel.Length) == 0)
            return (p, full.Length - s);
        // 2. Sentinel appended: the end; sentinel prepended, or else empty content: the start.
        string appended = Rendered(content + sentinel);
        int end = CommonPrefix(full, appended);
        int k = end;
        while (k < appended.Length && char.IsWhiteSpace(appended[k])) k++;
        if (string.CompareOrdinal(appended, k, sentinel, 0, sentinel.Length) != 0) return null;
        string prepended = Rendered(sentinel + content);
        int start = CommonPrefix(full, prepended);
        if (string.CompareOrdinal(prepended, start, sentinel, 0, sentinel.Length) != 0)
        {
            string empty = Rendered("");
            start = CommonPrefix(full, empty);
        }
        return start <= end ? (start, end) : null;
    }

    static string Sentinel(string content)
    {
        for (char c = '\uE000'; c < '\uF8FF'; c += (char)2)
            if (!content.Contains(c) && !content.Contains((char)(c + 1))) return $"{c}sentinel{(char)(c + 1)}";
        throw new InvalidOperationException("no private-use character is free for the sentinel.");
    }

    static int CommonPrefix(string a, string b) => a.AsSpan().CommonPrefixLength(b);

    static int CommonSuffix(string a, string b, int max)
    {
        int n = 0;
        while (n < max && a[a.Length - 1 - n] == b[b.Length - 1 - n]) n++;
        return n;
    }

    static InternalValue MessageValues(IReadOnlyList<ChatMessage> messages)
    {
        var list = new List<object?>(messages.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            var m = messages[i] ?? throw new ArgumentException($"message {i} is null.", nameof(messages));
            var d = PyOps.NewDict();
            d["role"] = m.Role;
            d["content"] = m.Content;
            list.Add(d);
        }
        return new InternalValue(list);
    }

    Dictionary<string, object?> BuildVariables(object? messages, bool addGenerationPrompt, IReadOnlyDictionary<string, object?>? kwargs)
    {
        var vars = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["messages"] = messages is InternalValue ? messages : new InternalValue(messages),
            ["add_generation_prompt"] = addGenerationPrompt,
            ["tools"] = null,
            ["documents"] = null,
            ["bos_token"] = BosToken,
            ["eos_token"] = EosToken,
            ["unk_token"] = UnkToken,
            ["pad_token"] = PadToken,
        };
        foreach (var (k, v) in Variables) vars[k] = v;
        if (kwargs is not null) foreach (var (k, v) in kwargs) vars[k] = v;
        return vars;
    }
}
