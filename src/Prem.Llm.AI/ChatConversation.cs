using Prem.Llm.Text;

namespace Prem.Llm.AI;

/// <summary>
/// A running conversation for a chat loop (<c>prem chat</c>, the DocsChat sample): an optional system message and the
/// user/assistant turns so far. <see cref="Prompt"/> drops the oldest turns when the conversation would no longer
/// leave room for a reply in the model's context window.
/// </summary>
public sealed class ChatConversation
{
    readonly List<ChatMessage> _turns = [];

    /// <summary>Starts a conversation with <paramref name="system"/> as its system message (none when null or empty).</summary>
    public ChatConversation(string? system = null) => System = system;

    /// <summary>The system message, or null for none.</summary>
    public string? System { get; set; }

    /// <summary>The user and assistant turns so far, oldest first.</summary>
    public IReadOnlyList<ChatMessage> Turns => _turns;

    /// <summary>Records one exchange.</summary>
    public void Add(string user, string assistant)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(assistant);
        _turns.Add(new ChatMessage(ChatMessage.User, user));
        _turns.Add(new ChatMessage(ChatMessage.Assistant, assistant));
    }

    /// <summary>Forgets the turns; the system message stays.</summary>
    public void Reset() => _turns.Clear();

    /// <summary>The messages for the next reply: the system message, the turns, then <paramref name="user"/>.</summary>
    public IReadOnlyList<ChatMessage> Messages(string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var messages = new List<ChatMessage>();
        if (!string.IsNullOrEmpty(System)) messages.Add(new ChatMessage(ChatMessage.System, System));
        messages.AddRange(_turns);
        messages.Add(new ChatMessage(ChatMessage.User, user));
        return messages;
    }

    /// <summary>
    /// The prompt ids for the next reply to <paramref name="user"/>, leaving at least <paramref name="room"/> tokens of
    /// the context window for it: the oldest exchanges are forgotten until it fits. Returns how many were forgotten.
    /// </summary>
    /// <exception cref="ArgumentException">Even with no earlier turns the prompt leaves less than <paramref name="room"/> tokens.</exception>
    public (IReadOnlyList<int> Prompt, int Forgotten) Prompt(ChatModel model, string user, int room)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(room);
        int forgotten = 0;
        while (true)
        {
            var prompt = model.EncodePrompt(Messages(user));
            if (prompt.Count + room <= model.ContextLength) return (prompt, forgotten);
            if (_turns.Count == 0)
                throw new ArgumentException($"The prompt takes {prompt.Count} tokens; with {room} for the reply it does not fit the model's {model.ContextLength}-token context window.", nameof(user));
            _turns.RemoveRange(0, 2);
            forgotten++;
        }
    }
}
