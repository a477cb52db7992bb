namespace Prem.Llm.Text;

/// <summary>A tokenized conversation: <see cref="InputIds"/> and <see cref="Labels"/> of equal length.</summary>
/// <param name="InputIds">Token ids of the rendered conversation, BOS included.</param>
/// <param name="Labels">The id where the token is trained, <see cref="ConversationEncoder.IgnoreIndex"/> elsewhere.</param>
public sealed record EncodedConversation(int[] InputIds, int[] Labels)
{
    /// <summary>How many tokens are trained.</summary>
    public int TrainedTokenCount => Labels.Count(l => l != ConversationEncoder.IgnoreIndex);
}
