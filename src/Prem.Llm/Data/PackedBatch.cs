using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Data;

/// <summary>
/// One batch of packed windows as int64 CPU tensors of shape [batch, seq]. Owns its tensors.
/// </summary>
public sealed class PackedBatch : IDisposable
{
    /// <summary>Wraps the three tensors.</summary>
    public PackedBatch(Tensor inputIds, Tensor targets, Tensor documentIds, LoaderState state)
    {
        InputIds = inputIds;
        Targets = targets;
        DocumentIds = documentIds;
        State = state;
    }

    /// <summary>Input token ids, [batch, seq], int64.</summary>
    public Tensor InputIds { get; }

    /// <summary>Next-token targets (inputs shifted by one), [batch, seq], int64.</summary>
    public Tensor Targets { get; }

    /// <summary>Document id of each input token, 0 for the window's first document, [batch, seq], int64.</summary>
    public Tensor DocumentIds { get; }

    /// <summary>The position this batch was read at (epoch and step).</summary>
    public LoaderState State { get; }

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        InputIds.Dispose();
        Targets.Dispose();
        DocumentIds.Dispose();
    }
}
