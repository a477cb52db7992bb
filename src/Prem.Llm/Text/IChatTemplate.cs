namespace Prem.Llm.Text;

/// <summary>
/// A chat template: turns messages into segments whose concatenated text is exactly what HF's
/// <c>apply_chat_template</c> renders. Implement <see cref="RenderSegments"/> to add a template.
/// </summary>
public interface IChatTemplate
{
    /// <summary>The rendered conversation as segments; <paramref name="addGenerationPrompt"/> appends the assistant header.</summary>
    IReadOnlyList<ChatSegment> RenderSegments(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt);

    /// <summary>The rendered conversation as text (the segments joined).</summary>
    string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) =>
        string.Concat(RenderSegments(messages, addGenerationPrompt).Select(s => s.Text));
}
