namespace Prem.Llm.Data;

/// <summary>
/// Skip reasons of the SFT and preference datasets, beside the malformed-line reasons they share with
/// pretraining (<see cref="SkipReasons.BadJson"/>, <see cref="SkipReasons.MissingField"/>,
/// <see cref="SkipReasons.WrongType"/>).
/// </summary>
internal static class ChatSkipReasons
{
    /// <summary>The conversation cannot be encoded: unknown role, empty, no assistant turn.</summary>
    public const string InvalidConversation = "invalid_conversation";

    /// <summary>Truncation to the maximum length removed every trained token of an SFT record.</summary>
    public const string NoTrainableTokens = "no_trainable_tokens";

    /// <summary>
    /// A preference record whose chosen and rejected conversations do not share the prompt turns (or do
    /// not end in exactly one assistant message each, or disagree with the <c>prompt</c> field).
    /// </summary>
    public const string PromptMismatch = "prompt_mismatch";

    /// <summary>The prompt's tokens are not a prefix of the prompt-plus-response tokens (a tokenizer merge across the boundary).</summary>
    public const string PromptNotPrefix = "prompt_not_prefix";
}
