using Prem.Llm.Distributed;

namespace Prem.Llm.Tests.Distributed;

/// <summary>
/// A test double for <see cref="Size"/> ranks that all hold this rank's data: a sum is Size × x,
/// max and min are x, a broadcast changes nothing (or flips the first byte, to fake a diverged rank 0).
/// </summary>
internal sealed class ReplicaCommunicator(int size, int rank = 0, bool corruptBroadcast = false) : Communicator
{
    public override int Rank => rank;
    public override int Size => size;
    public override int LocalRank => rank;
    public override string Backend => "replica";
    public int Calls { get; private set; }

    public override void AllReduce(Span<float> buffer, ReduceOp op = ReduceOp.Sum)
    {
        Calls++;
        if (op == ReduceOp.Sum) for (int i = 0; i < buffer.Length; i++) buffer[i] *= size;
    }

    public override void AllReduce(Span<double> buffer, ReduceOp op = ReduceOp.Sum)
    {
        Calls++;
        if (op == ReduceOp.Sum) for (int i = 0; i < buffer.Length; i++) buffer[i] *= size;
    }

    public override void Broadcast(Span<byte> buffer, int root = 0)
    {
        CheckRoot(root);
        Calls++;
        if (corruptBroadcast && buffer.Length > 0) buffer[0] ^= 0xff;
    }

    public override void Barrier() => Calls++;
}
