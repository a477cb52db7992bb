namespace Prem.Llm.Text;

/// <summary>Which assistant turns of a conversation get labels.</summary>
public enum AssistantTurns
{
    /// <summary>Every assistant turn (the default, as TRL and axolotl do).</summary>
    All,

    /// <summary>Only the last assistant turn; earlier ones are context.</summary>
    Last,
}

/// <summary>Options of <see cref="ConversationEncoder"/>.</summary>
public sealed record ConversationEncoderOptions
{
    /// <summary>Which assistant turns are trained.</summary>
    public AssistantTurns TrainOn { get; init; } = AssistantTurns.All;

    /// <summary>A system message inserted first when a conversation has none; null inserts nothing.</summary>
    public string? DefaultSystemPrompt { get; init; }

    /// <summary>The roles a message may have; any other role is an error.</summary>
    public IReadOnlySet<string> Roles { get; init; } =
        new HashSet<string>(StringComparer.Ordinal) { ChatMessage.System, ChatMessage.User, ChatMessage.Assistant };

    /// <summary>
    /// When true (the default, for training sets), a conversation with no assistant turn and no generation prompt is
    /// invalid; when false it encodes with every label <see cref="ConversationEncoder.IgnoreIndex"/> (<c>prem tokenize</c>).
    /// </summary>
    public bool RequireAssistantTurn { get; init; } = true;

    /// <summary>Extra keyword arguments for a <see cref="JinjaChatTemplate"/> (<c>chat_template_kwargs</c>, e.g. <c>enable_thinking</c>).</summary>
    public IReadOnlyDictionary<string, object?>? TemplateVariables { get; init; }

    /// <summary>When true, an invalid conversation is skipped and counted instead of throwing.</summary>
    public bool SkipInvalid { get; init; }
}
