using static TorchSharp.torch;

namespace Prem.Llm.Evaluation;

/// <summary>Turns the log-probabilities at a continuation's positions into a <see cref="LogLikelihood"/>.</summary>
internal static class ContinuationScore
{
    /// <summary>
    /// <paramref name="logProbs"/> <c>[n, vocab]</c>: row i is the distribution that predicts
    /// <paramref name="continuation"/>[i]. Sums in double; greedy when every row's argmax is the token.
    /// </summary>
    public static LogLikelihood Sum(Tensor logProbs, IReadOnlyList<int> continuation)
    {
        if (logProbs.dim() != 2 || logProbs.shape[0] != continuation.Count)
            throw new ArgumentException($"logProbs must be [{continuation.Count}, vocab], got [{string.Join(", ", logProbs.shape)}]", nameof(logProbs));
        using var scope = NewDisposeScope();
        var targets = tensor(continuation.Select(t => (long)t).ToArray(), device: logProbs.device);
        var picked = logProbs.gather(1, targets.unsqueeze(1)).squeeze(1).to(float64).cpu();
        var greedy = logProbs.argmax(1).eq(targets).all().item<bool>();
        double sum = 0;
        foreach (var v in picked.data<double>()) sum += v;
        return new LogLikelihood(sum, greedy);
    }
}
