namespace Prem.Llm.Text;

/// <summary>A chat template renders a message so that its text cannot be found in the whole conversation's render, so its labels (or its protection from control tokens) cannot be placed.</summary>
public sealed class ChatTemplateLocateException : Exception
{
    /// <summary>Creates the exception for message <paramref name="messageIndex"/> with <paramref name="role"/>.</summary>
    public ChatTemplateLocateException(int messageIndex, string role)
        : base($"cannot locate message {messageIndex} ({role}) in the rendered conversation: the chat template transforms its content beyond recognition.")
    {
        MessageIndex = messageIndex;
        Role = role;
    }

    /// <summary>The message's index in the conversation.</summary>
    public int MessageIndex { get; }

    /// <summary>The message's role.</summary>
    public string Role { get; }
}
