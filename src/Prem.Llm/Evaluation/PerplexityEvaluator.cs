using System.Text;
using System.Text.RegularExpressions;
using Prem.Llm.Text;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Evaluation;

/// <summary>
/// Perplexity and bits-per-byte of texts or token ids by rolling log-likelihood, e.g. as a trainer's
/// validation metric. Each document is scored independently; the prefix token is BOS.
/// </summary>
public static partial class PerplexityEvaluator
{
    /// <summary>
    /// Scores each document of <paramref name="documents"/>. <paramref name="addBos"/> puts BOS inside
    /// the scored tokens, as lm-eval's Hugging Face backend does with a Llama tokenizer (it then scores
    /// BOS after the BOS prefix); the default scores only the text's own tokens.
    /// </summary>
    public static PerplexityResult EvaluateTexts(ILogLikelihoodScorer scorer, ITextTokenizer tokenizer, IEnumerable<string> documents, int? stride = null, bool addBos = false, IProgress<int>? progress = null)
    {
        var total = new PerplexityResult(0, 0, 0, 0);
        foreach (var text in documents)
        {
            var tokens = tokenizer.Encode(text, addBos: addBos);
            double ll = RollingLogLikelihood.Score(scorer, tokens, tokenizer.BosId, stride, progress);
            total += new PerplexityResult(ll, tokens.Count, Encoding.UTF8.GetByteCount(text), Whitespace().Split(text).Length);
        }
        return total;
    }

    /// <summary>Scores one text file as a single document.</summary>
    public static PerplexityResult EvaluateFile(ILogLikelihoodScorer scorer, ITextTokenizer tokenizer, string path, int? stride = null, bool addBos = false, IProgress<int>? progress = null)
    {
        if (!File.Exists(path)) throw new EvaluationException("text file not found", path);
        return EvaluateTexts(scorer, tokenizer, [File.ReadAllText(path)], stride, addBos, progress);
    }

    /// <summary>
    /// Scores prepared token ids (e.g. a validation shard) as one document. <paramref name="bytes"/> is
    /// the UTF-8 size of the text they encode, needed for bits-per-byte (0 when unknown).
    /// </summary>
    public static PerplexityResult EvaluateTokens(ILogLikelihoodScorer scorer, IReadOnlyList<int> tokens, int prefixToken, long bytes = 0, int? stride = null, IProgress<int>? progress = null)
    {
        double ll = RollingLogLikelihood.Score(scorer, tokens, prefixToken, stride, progress);
        return new PerplexityResult(ll, tokens.Count, bytes, 0);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
