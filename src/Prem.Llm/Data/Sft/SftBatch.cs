using static TorchSharp.torch;

namespace Prem.Llm.Data;

/// <summary>One SFT batch as int64 CPU tensors of shape [batch, seq]. Owns its tensors.</summary>
public sealed class SftBatch : IDisposable
{
    /// <summary>Wraps the tensors.</summary>
    public SftBatch(Tensor inputIds, Tensor labels, Tensor attentionMask, Tensor? documentIds, LoaderState? state)
    {
        InputIds = inputIds;
        Labels = labels;
        AttentionMask = attentionMask;
        DocumentIds = documentIds;
        State = state;
    }

    /// <summary>Token ids, right-padded with the pad id, [batch, seq].</summary>
    public Tensor InputIds { get; }

    /// <summary>Labels aligned with <see cref="InputIds"/> (not shifted): the id where trained, −100 on untrained and padding tokens, [batch, seq].</summary>
    public Tensor Labels { get; }

    /// <summary>1 on real tokens, 0 on padding, [batch, seq].</summary>
    public Tensor AttentionMask { get; }

    /// <summary>
    /// For packed rows, each token's example index within its row, [batch, seq]; the padding at a row's end
    /// gets the next index, a document of its own. Null when rows are not packed.
    /// </summary>
    public Tensor? DocumentIds { get; }

    /// <summary>The loader position this batch was read at; null when collated outside a loader.</summary>
    public LoaderState? State { get; }

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        InputIds.Dispose();
        Labels.Dispose();
        AttentionMask.Dispose();
        DocumentIds?.Dispose();
    }
}
