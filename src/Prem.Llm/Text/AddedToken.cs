namespace Prem.Llm.Text;

/// <summary>
/// A token added on top of the model vocabulary (HF <c>added_tokens_decoder</c> / <c>added_tokens.json</c>),
/// e.g. Prem-1B-chat's <c>&lt;|eot_id|&gt;</c> = 32002.
/// </summary>
/// <param name="Content">The token text.</param>
/// <param name="Id">The token id.</param>
/// <param name="Special">Special tokens are dropped by decoding with skipSpecialTokens.</param>
/// <param name="LStrip">When splitting text HF-style, whitespace before the token is absorbed into it.</param>
/// <param name="RStrip">When splitting text HF-style, whitespace after the token is absorbed into it.</param>
public sealed record AddedToken(string Content, int Id, bool Special = true, bool LStrip = false, bool RStrip = false);

/// <summary>How a SentencePiece tokenizer puts the "▁" dummy prefix on text segments between added tokens.</summary>
public enum DummyPrefixMode
{
    /// <summary>
    /// HF's Llama-2 ("legacy") convention and the default: every text segment, including one that follows
    /// an added token, is encoded as a standalone string and so gets the prefix (<c>&lt;s&gt;[INST]</c> → 1, 518 "▁[").
    /// </summary>
    EverySegment,

    /// <summary>Only text at the very start of the input gets the prefix; text after an added token gets none (HF <c>legacy=false</c>).</summary>
    FirstSegmentOnly,
}
