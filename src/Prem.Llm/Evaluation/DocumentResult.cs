using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Evaluation;

/// <summary>
/// The scored document: per-choice log-likelihoods and lm-eval's <c>acc</c> / <c>acc_norm</c>
/// (<c>np.argmax</c>, so ties go to the first maximum).
/// </summary>
/// <param name="Document">The document.</param>
/// <param name="LogLikelihoods">Per choice, summed continuation log-likelihood.</param>
/// <param name="IsGreedy">Per choice, whether the continuation is the greedy one.</param>
public sealed record DocumentResult(EvalDocument Document, IReadOnlyList<double> LogLikelihoods, IReadOnlyList<bool> IsGreedy)
{
    /// <summary>Index of the choice with the highest log-likelihood.</summary>
    public int Prediction => ArgMax(LogLikelihoods.Count, i => LogLikelihoods[i]);

    /// <summary>1 when <see cref="Prediction"/> is gold, else 0.</summary>
    public double Acc => Prediction == Document.Gold ? 1 : 0;

    /// <summary>
    /// 1 when the argmax of loglik / code-point length of the choice is gold; null when the task has no
    /// <c>acc_norm</c>.
    /// </summary>
    public double? AccNorm => Document.NormLengths is { } lengths
        ? ArgMax(LogLikelihoods.Count, i => LogLikelihoods[i] / lengths[i]) == Document.Gold ? 1 : 0
        : null;

    private static int ArgMax(int count, Func<int, double> value)
    {
        int best = 0;
        for (int i = 1; i < count; i++)
            if (value(i) > value(best)) best = i;
        return best;
    }
}
