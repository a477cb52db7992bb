using static TorchSharp.torch;

namespace Prem.Llm.Data;

/// <summary>
/// One DPO batch as int64 CPU tensors: the <see cref="PairCount"/> chosen sequences (prompt + chosen) in
/// rows [0, B) and the rejected ones (prompt + rejected) in rows [B, 2B), in the same pair order, all
/// right-padded to one length T. Owns its tensors.
/// </summary>
public sealed class PreferenceBatch : IDisposable
{
    /// <summary>Wraps the tensors.</summary>
    public PreferenceBatch(Tensor inputIds, Tensor labels, Tensor attentionMask, int pairCount, LoaderState? state)
    {
        InputIds = inputIds;
        Labels = labels;
        AttentionMask = attentionMask;
        PairCount = pairCount;
        State = state;
    }

    /// <summary>Token ids, [2B, T]: chosen rows first, then rejected.</summary>
    public Tensor InputIds { get; }

    /// <summary>Labels aligned with <see cref="InputIds"/> (not shifted): the id on response tokens, −100 on prompt and padding, [2B, T].</summary>
    public Tensor Labels { get; }

    /// <summary>1 on real tokens, 0 on padding, [2B, T].</summary>
    public Tensor AttentionMask { get; }

    /// <summary>B, the number of pairs.</summary>
    public int PairCount { get; }

    /// <summary>The loader position this batch was read at; null when collated outside a loader.</summary>
    public LoaderState? State { get; }

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        InputIds.Dispose();
        Labels.Dispose();
        AttentionMask.Dispose();
    }
}
