using Prem.Llm.Generation;

namespace Prem.Llm.AI;

/// <summary>
/// One step of <see cref="ChatModel.StreamAsync"/>: the text one new token adds (empty while a UTF-8 character or a
/// possible stop sequence is incomplete, or for a stop id), or, last of all, the end of the reply with
/// <see cref="Finish"/> set and any text that was held back.
/// </summary>
/// <param name="Text">Text to append to the reply; never splits a UTF-8 character or a surrogate pair.</param>
/// <param name="TokenId">The new token's id; −1 for the final step.</param>
/// <param name="OutputTokens">New tokens so far (stop ids included).</param>
/// <param name="Finish">Null until the final step, which says why the reply ended.</param>
public sealed record ChatDelta(string Text, int TokenId, int OutputTokens, ChatFinish? Finish = null)
{
    /// <summary>The generator's timings of the reply, on the final step.</summary>
    public GenerationStats? Stats { get; init; }
}
