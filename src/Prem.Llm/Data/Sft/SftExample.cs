using Prem.Llm.Text;

namespace Prem.Llm.Data;

/// <summary>
/// One SFT training row: input ids and aligned labels (the id where trained, −100 elsewhere; the model
/// or objective shifts them). A packed row also has <see cref="DocumentIds"/>.
/// </summary>
/// <param name="InputIds">Token ids, BOS first.</param>
/// <param name="Labels">Same length as <paramref name="InputIds"/>; <see cref="ConversationEncoder.IgnoreIndex"/> where untrained.</param>
/// <param name="Source">Where it came from ("file:line"; a packed row names its first record).</param>
/// <param name="Truncated">True when truncation shortened it.</param>
/// <param name="DocumentIds">For packed rows, the 0-based index of the example each token belongs to; null otherwise.</param>
public sealed record SftExample(int[] InputIds, int[] Labels, string Source, bool Truncated = false, int[]? DocumentIds = null)
{
    /// <summary>Length in tokens.</summary>
    public int Length => InputIds.Length;

    /// <summary>Tokens with a label.</summary>
    public int TrainedTokenCount => Labels.Count(l => l != ConversationEncoder.IgnoreIndex);
}
