namespace Prem.Llm.Text;

/// <summary>
/// Meta's Llama-3 chat template, the Prem-1B recipe's chat format:
/// <c>{bos}</c> then, per message, <c>&lt;|start_header_id|&gt;{role}&lt;|end_header_id|&gt;\n\n{content | trim}&lt;|eot_id|&gt;</c>,
/// and with a generation prompt <c>&lt;|start_header_id|&gt;assistant&lt;|end_header_id|&gt;\n\n</c>.
/// Rendered by the Jinja engine from Meta's template source (<see cref="JinjaChatTemplate.Llama3Source"/>), like any
/// folder's template: there is one rendering path.
/// </summary>
public sealed class Llama3ChatTemplate : IChatTemplate
{
    /// <summary>The header opener.</summary>
    public const string StartHeader = "<|start_header_id|>";

    /// <summary>The header closer.</summary>
    public const string EndHeader = "<|end_header_id|>";

    /// <summary>The end-of-turn token.</summary>
    public const string EndOfTurn = "<|eot_id|>";

    readonly JinjaChatTemplate _template;

    /// <summary>Creates the template with <paramref name="bosToken"/> as the text rendered first.</summary>
    public Llama3ChatTemplate(string bosToken = "<|begin_of_text|>")
    {
        ArgumentException.ThrowIfNullOrEmpty(bosToken);
        BosToken = bosToken;
        _template = JinjaChatTemplate.Llama3(bosToken);
    }

    /// <summary>The template for Llama-3's own vocabulary (BOS <c>&lt;|begin_of_text|&gt;</c>).</summary>
    public static Llama3ChatTemplate Llama3 { get; } = new("<|begin_of_text|>");

    /// <summary>The template for Llama-2-vocabulary chat models such as Prem-1B-chat (BOS <c>&lt;s&gt;</c>).</summary>
    public static Llama3ChatTemplate Llama2Vocabulary { get; } = new("<s>");

    /// <summary>The BOS text rendered before the first message.</summary>
    public string BosToken { get; }

    /// <inheritdoc/>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) => _template.Render(messages, addGenerationPrompt);

    /// <inheritdoc/>
    public IReadOnlyList<ChatSegment> RenderSegments(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) =>
        _template.RenderSegments(messages, addGenerationPrompt);
}
