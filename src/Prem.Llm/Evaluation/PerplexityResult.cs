namespace Prem.Llm.Evaluation;

/// <summary>
/// Rolling log-likelihood totals of a text and lm-eval's perplexity metrics derived from them
/// (<c>word_perplexity</c>, <c>byte_perplexity</c>, <c>bits_per_byte</c>) plus token perplexity.
/// </summary>
/// <param name="LogLikelihood">Summed log-likelihood, natural log.</param>
/// <param name="Tokens">Number of predicted tokens.</param>
/// <param name="Bytes">UTF-8 bytes of the text.</param>
/// <param name="Words">Words as lm-eval counts them (<c>len(re.split(r"\s+", text))</c>).</param>
public sealed record PerplexityResult(double LogLikelihood, long Tokens, long Bytes, long Words)
{
    /// <summary><c>exp(-LogLikelihood / Tokens)</c>.</summary>
    public double TokenPerplexity => Math.Exp(-LogLikelihood / Tokens);

    /// <summary><c>exp(-LogLikelihood / Words)</c>.</summary>
    public double WordPerplexity => Math.Exp(-LogLikelihood / Words);

    /// <summary><c>exp(-LogLikelihood / Bytes)</c>.</summary>
    public double BytePerplexity => Math.Exp(-LogLikelihood / Bytes);

    /// <summary><c>-LogLikelihood / Bytes / ln 2</c>: tokenizer-independent, comparable across vocabularies.</summary>
    public double BitsPerByte => -LogLikelihood / Bytes / Math.Log(2);

    /// <summary>Adds two results (documents are independent; lm-eval sums before dividing).</summary>
    public static PerplexityResult operator +(PerplexityResult a, PerplexityResult b) =>
        new(a.LogLikelihood + b.LogLikelihood, a.Tokens + b.Tokens, a.Bytes + b.Bytes, a.Words + b.Words);
}
