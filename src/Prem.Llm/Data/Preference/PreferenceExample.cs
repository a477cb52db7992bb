namespace Prem.Llm.Data;

/// <summary>
/// One tokenized preference pair: the prompt (template with generation prompt, BOS first) and the two
/// responses (assistant content + end-of-turn, no BOS). <c>PromptIds ++ ChosenIds</c> equals the
/// tokenization of the whole chosen conversation (before truncation).
/// </summary>
/// <param name="PromptIds">Prompt tokens, BOS first, ending with the assistant header and its "\n\n".</param>
/// <param name="ChosenIds">The preferred response's tokens.</param>
/// <param name="RejectedIds">The dispreferred response's tokens.</param>
/// <param name="Source">Where it came from ("file:line").</param>
/// <param name="Truncated">True when truncation shortened the prompt or a response.</param>
public sealed record PreferenceExample(int[] PromptIds, int[] ChosenIds, int[] RejectedIds, string Source, bool Truncated = false)
{
    /// <summary>Length of the longer of prompt + chosen and prompt + rejected.</summary>
    public int Length => PromptIds.Length + Math.Max(ChosenIds.Length, RejectedIds.Length);
}
