namespace Prem.Llm.Text;

/// <summary>
/// Meta's Llama-3 chat template as HF renders it:
/// <c>{bos}</c> then, per message, <c>&lt;|start_header_id|&gt;{role}&lt;|end_header_id|&gt;\n\n{content | trim}&lt;|eot_id|&gt;</c>,
/// and with a generation prompt <c>&lt;|start_header_id|&gt;assistant&lt;|end_header_id|&gt;\n\n</c>.
/// <c>trim</c> is Python's <c>str.strip()</c> (<see cref="PythonStrip"/>).
/// </summary>
public sealed class Llama3ChatTemplate : IChatTemplate
{
    /// <summary>The header opener.</summary>
    public const string StartHeader = "<|start_header_id|>";

    /// <summary>The header closer.</summary>
    public const string EndHeader = "<|end_header_id|>";

    /// <summary>The end-of-turn token.</summary>
    public const string EndOfTurn = "<|eot_id|>";

    /// <summary>Creates the template with <paramref name="bosToken"/> as the text rendered first.</summary>
    public Llama3ChatTemplate(string bosToken = "<|begin_of_text|>")
    {
        ArgumentException.ThrowIfNullOrEmpty(bosToken);
        BosToken = bosToken;
    }

    /// <summary>The template for Llama-3's own vocabulary (BOS <c>&lt;|begin_of_text|&gt;</c>).</summary>
    public static Llama3ChatTemplate Llama3 { get; } = new("<|begin_of_text|>");

    /// <summary>The template for Llama-2-vocabulary chat models such as Prem-1B-chat (BOS <c>&lt;s&gt;</c>).</summary>
    public static Llama3ChatTemplate Llama2Vocabulary { get; } = new("<s>");

    /// <summary>The BOS text rendered before the first message.</summary>
    public string BosToken { get; }

    /// <inheritdoc/>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) =>
        string.Concat(RenderSegments(messages, addGenerationPrompt).Select(s => s.Text));

    /// <inheritdoc/>
    public IReadOnlyList<ChatSegment> RenderSegments(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var segments = new List<ChatSegment>(messages.Count * 5 + 5);
        // Like the Jinja source, BOS goes in front of the first message only: no messages, no BOS.
        if (messages.Count > 0) segments.Add(new ChatSegment(BosToken, IsControl: true, MessageIndex: -1));
        for (int i = 0; i < messages.Count; i++)
        {
            var m = messages[i] ?? throw new ArgumentException($"message {i} is null.", nameof(messages));
            segments.Add(new ChatSegment(StartHeader, true, i));
            segments.Add(new ChatSegment(m.Role, false, i));
            segments.Add(new ChatSegment(EndHeader, true, i));
            segments.Add(new ChatSegment("\n\n" + PythonStrip.Strip(m.Content), false, i, LabelFrom: 2));
            segments.Add(new ChatSegment(EndOfTurn, true, i, LabelFrom: 0));
        }
        if (addGenerationPrompt)
        {
            segments.Add(new ChatSegment(StartHeader, true, -1));
            segments.Add(new ChatSegment(ChatMessage.Assistant, false, -1));
            segments.Add(new ChatSegment(EndHeader, true, -1));
            segments.Add(new ChatSegment("\n\n", false, -1));
        }
        return segments;
    }
}
