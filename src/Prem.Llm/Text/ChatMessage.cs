namespace Prem.Llm.Text;

/// <summary>One message of a conversation, as in HF's <c>{"role": …, "content": …}</c>.</summary>
/// <param name="Role">"system", "user" or "assistant" (templates render any role; encoders check them).</param>
/// <param name="Content">The message text; it is always text, never control tokens.</param>
public sealed record ChatMessage(string Role, string Content)
{
    /// <summary>The system role name.</summary>
    public const string System = "system";

    /// <summary>The user role name.</summary>
    public const string User = "user";

    /// <summary>The assistant role name.</summary>
    public const string Assistant = "assistant";
}
