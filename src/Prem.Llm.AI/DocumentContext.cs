using System.Text;

namespace Prem.Llm.AI;

/// <summary>
/// Places documents in a conversation for grounded answers (the Prem-1B use case): one system message holding the
/// instructions, then each document under its name. <c>prem chat --context</c> and the DocsChat sample use it.
/// </summary>
public static class DocumentContext
{
    /// <summary>The instructions used when none are given.</summary>
    public const string DefaultInstructions = "Answer the user's questions using the documents below. If they do not contain the answer, say so.";

    /// <summary>
    /// The system message: <paramref name="instructions"/> (else <see cref="DefaultInstructions"/>), then each document as
    /// a <c>### name</c> line followed by its text (surrounding blank space trimmed).
    /// </summary>
    public static string SystemMessage(IEnumerable<(string Name, string Text)> documents, string? instructions = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var message = new StringBuilder(string.IsNullOrWhiteSpace(instructions) ? DefaultInstructions : instructions.Trim());
        foreach (var (name, text) in documents)
        {
            ArgumentNullException.ThrowIfNull(name, nameof(documents));
            ArgumentNullException.ThrowIfNull(text, nameof(documents));
            message.Append("\n\n### ").Append(name).Append('\n').Append(text.Trim());
        }
        return message.ToString();
    }
}
