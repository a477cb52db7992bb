using static TorchSharp.torch;

namespace Prem.Llm.Evaluation;

/// <summary>
/// A causal LM that can run a prefix once and extend it many times (a KV cache). Used by
/// <see cref="PrefixReuseScorer"/> to compute a question's shared context once per question.
/// </summary>
public interface IPrefixCachingModel
{
    /// <summary>The model window in tokens.</summary>
    int MaxLength { get; }

    /// <summary>
    /// Runs <paramref name="ids"/> <c>[seq]</c> int64 and returns the cached state and the logits
    /// <c>[seq, vocab]</c> of every position. The caller disposes both.
    /// </summary>
    (IPrefixState State, Tensor Logits) Prefill(Tensor ids);

    /// <summary>
    /// Extends <paramref name="state"/> with <paramref name="ids"/> <c>[batch, seq]</c> int64 (each row
    /// a different continuation of the same prefix, right-padded) and returns logits
    /// <c>[batch, seq, vocab]</c>; position t of a row sees the prefix and the row's tokens 0..t.
    /// The state itself is not changed, so it can be extended again.
    /// </summary>
    Tensor Continue(IPrefixState state, Tensor ids);
}
