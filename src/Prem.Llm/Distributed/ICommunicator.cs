using TorchSharp;

namespace Prem.Llm.Distributed;

/// <summary>
/// The collectives data-parallel training needs, over a fixed group of <see cref="Size"/> ranks.
/// Every rank must call the same collectives in the same order with the same element counts;
/// a collective that does not complete within the communicator's timeout ends the job with a
/// message naming the rank, never a silent hang.
/// </summary>
public interface ICommunicator : IDisposable
{
    /// <summary>This process's rank in [0, <see cref="Size"/>).</summary>
    int Rank { get; }

    /// <summary>Number of ranks.</summary>
    int Size { get; }

    /// <summary>Rank among the processes on this machine: the GPU index of this rank.</summary>
    int LocalRank { get; }

    /// <summary>A short name of the backend ("single", "mpi (Open MPI)", "nccl"...), for logs.</summary>
    string Backend { get; }

    /// <summary>Reduces <paramref name="buffer"/> over all ranks in place: every rank ends with the result.</summary>
    void AllReduce(Span<float> buffer, ReduceOp op = ReduceOp.Sum);

    /// <summary>Reduces <paramref name="buffer"/> over all ranks in place, in float64.</summary>
    void AllReduce(Span<double> buffer, ReduceOp op = ReduceOp.Sum);

    /// <summary>Copies <paramref name="root"/>'s <paramref name="buffer"/> to every rank.</summary>
    void Broadcast(Span<byte> buffer, int root = 0);

    /// <summary>
    /// Reduces a tensor in place. CPU tensors: float32, float64, and bfloat16 (reduced in float32 and
    /// rounded once). A communicator for GPUs (NCCL) reduces CUDA tensors on the device.
    /// </summary>
    void AllReduce(torch.Tensor tensor, ReduceOp op = ReduceOp.Sum);

    /// <summary>Copies <paramref name="root"/>'s tensor into <paramref name="tensor"/> on every rank.</summary>
    void Broadcast(torch.Tensor tensor, int root = 0);

    /// <summary>Returns on a rank only when every rank has called it.</summary>
    void Barrier();
}
