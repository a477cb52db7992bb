using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Evaluation;

/// <summary>
/// lm-eval's rolling log-likelihood (<c>loglikelihood_rolling</c>): a token list is cut into windows
/// of at most <c>maxLength</c> input tokens that together predict every token exactly once; the
/// first window is conditioned on a prefix token (BOS), each later one on the tokens just before it.
/// </summary>
internal static class RollingLogLikelihood
{
    /// <summary>
    /// The windows of <c>get_rolling_token_windows</c> followed by <c>make_disjoint_window</c>, as
    /// requests. <paramref name="stride"/> is the number of tokens each window after the first
    /// predicts (lm-eval: <c>maxLength - context_len + 1</c>; its default context_len 1 gives
    /// stride = maxLength). A smaller stride gives every prediction more context, at more cost.
    /// </summary>
    public static IReadOnlyList<TokenizedRequest> Windows(IReadOnlyList<int> tokens, int prefixToken, int maxLength, int? stride = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        int predictLength = stride ?? maxLength;
        if (predictLength < 1 || predictLength > maxLength)
            throw new EvaluationException($"stride {predictLength} must be between 1 and the window {maxLength}");
        var windows = new List<TokenizedRequest>();
        if (tokens.Count == 0) return windows;

        // First window: the prefix token, then predict as many tokens as fit.
        int first = Math.Min(maxLength, tokens.Count);
        windows.Add(new TokenizedRequest([prefixToken], Slice(tokens, 0, first)));
        int predicted = first;
        while (predicted < tokens.Count)
        {
            int count = Math.Min(tokens.Count - predicted, predictLength);
            int end = predicted + count;
            // The input is the maxLength tokens before the last predicted one; made disjoint, the
            // context is what precedes the predicted tokens.
            int inputStart = end - maxLength - 1;
            windows.Add(new TokenizedRequest(Slice(tokens, inputStart, end - count), Slice(tokens, end - count, end)));
            predicted = end;
        }
        return windows;
    }

    /// <summary>The summed log-likelihood of every token of <paramref name="tokens"/> under <paramref name="scorer"/>.</summary>
    public static double Score(ILogLikelihoodScorer scorer, IReadOnlyList<int> tokens, int prefixToken, int? stride = null, IProgress<int>? progress = null)
    {
        double sum = 0;
        foreach (var result in scorer.Score(Windows(tokens, prefixToken, scorer.MaxLength, stride), progress))
            sum += result.Value;
        return sum;
    }

    private static int[] Slice(IReadOnlyList<int> tokens, int start, int end)
    {
        var slice = new int[end - start];
        for (int i = start; i < end; i++) slice[i - start] = tokens[i];
        return slice;
    }
}
