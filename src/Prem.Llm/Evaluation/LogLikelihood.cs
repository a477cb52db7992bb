namespace Prem.Llm.Evaluation;

/// <summary>The answer to a <see cref="TokenizedRequest"/>, as lm-eval's <c>(logprob, is_greedy)</c>.</summary>
/// <param name="Value">Sum of the continuation tokens' log-probabilities (natural log).</param>
/// <param name="IsGreedy">Whether every continuation token is the argmax of its position's distribution.</param>
public readonly record struct LogLikelihood(double Value, bool IsGreedy);
