namespace Prem.Llm.Evaluation;

/// <summary>
/// Scores loglikelihood requests with a causal language model. Implementations must return, for
/// each request and in the same order, what a single forward pass over
/// <see cref="TokenizedRequest.ModelInput"/> gives: the summed continuation log-probabilities and
/// whether the continuation is the greedy one. Rolling (perplexity) scoring is built on the same
/// call by <see cref="RollingLogLikelihood"/>.
/// </summary>
public interface ILogLikelihoodScorer
{
    /// <summary>The model window in tokens (lm-eval's <c>max_length</c>).</summary>
    int MaxLength { get; }

    /// <summary>
    /// Scores <paramref name="requests"/>; <paramref name="progress"/> receives the number of requests
    /// finished since the previous report.
    /// </summary>
    IReadOnlyList<LogLikelihood> Score(IReadOnlyList<TokenizedRequest> requests, IProgress<int>? progress = null, CancellationToken cancellationToken = default);
}
