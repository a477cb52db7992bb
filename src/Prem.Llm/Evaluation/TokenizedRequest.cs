using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Evaluation;

/// <summary>A loglikelihood request in token ids: score <paramref name="Continuation"/> given <paramref name="Context"/>.</summary>
/// <param name="Context">Context ids (non-empty; BOS included when the tokenizer adds it).</param>
/// <param name="Continuation">Continuation ids (non-empty).</param>
public sealed record TokenizedRequest(IReadOnlyList<int> Context, IReadOnlyList<int> Continuation)
{
    /// <summary>Context plus continuation length.</summary>
    public int TotalLength => Context.Count + Continuation.Count;

    /// <summary>
    /// The model input lm-eval builds for a causal LM: <c>(context + continuation)[-(maxLength + 1):][:-1]</c>,
    /// i.e. the last token is not fed and the left is cut to the window. Throws
    /// <see cref="EvaluationException"/> when the continuation alone does not fit.
    /// </summary>
    public int[] ModelInput(int maxLength)
    {
        if (Context.Count == 0 || Continuation.Count == 0)
            throw new EvaluationException($"a request needs a non-empty context and continuation (got {Context.Count} and {Continuation.Count} tokens)");
        if (Continuation.Count > maxLength)
            throw new EvaluationException($"continuation of {Continuation.Count} tokens does not fit the model window of {maxLength} tokens");
        var all = Context.Concat(Continuation).ToArray();
        int start = Math.Max(0, all.Length - (maxLength + 1));
        return all[start..^1];
    }

    /// <summary>Whether <see cref="ModelInput"/> cuts tokens from the left for this window.</summary>
    public bool IsTruncated(int maxLength) => TotalLength > maxLength + 1;
}
