using static TorchSharp.torch;

namespace Prem.Llm.Distributed;

/// <summary>The default: one rank, every collective the identity. Training code needs no special case.</summary>
public sealed class SingleProcessCommunicator : Communicator
{
    /// <inheritdoc/>
    public override int Rank => 0;

    /// <inheritdoc/>
    public override int Size => 1;

    /// <inheritdoc/>
    public override int LocalRank => 0;

    /// <inheritdoc/>
    public override string Backend => "single";

    /// <inheritdoc/>
    public override void AllReduce(Span<float> buffer, ReduceOp op = ReduceOp.Sum) { }

    /// <inheritdoc/>
    public override void AllReduce(Span<double> buffer, ReduceOp op = ReduceOp.Sum) { }

    /// <inheritdoc/>
    public override void Broadcast(Span<byte> buffer, int root = 0) => CheckRoot(root);

    /// <inheritdoc/>
    public override void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum) => ArgumentNullException.ThrowIfNull(tensor);

    /// <inheritdoc/>
    public override void Broadcast(Tensor tensor, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CheckRoot(root);
    }

    /// <inheritdoc/>
    public override void Barrier() { }
}
