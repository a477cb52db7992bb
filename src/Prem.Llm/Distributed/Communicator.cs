using Prem.Llm.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Distributed;

/// <summary>
/// The shared part of the communicators: tensor collectives on the CPU expressed through the span
/// collectives, so a backend implements only spans (and, for GPUs, overrides the tensor ones).
/// </summary>
public abstract class Communicator : ICommunicator
{
    /// <inheritdoc/>
    public abstract int Rank { get; }

    /// <inheritdoc/>
    public abstract int Size { get; }

    /// <inheritdoc/>
    public abstract int LocalRank { get; }

    /// <inheritdoc/>
    public abstract string Backend { get; }

    /// <inheritdoc/>
    public abstract void AllReduce(Span<float> buffer, ReduceOp op = ReduceOp.Sum);

    /// <inheritdoc/>
    public abstract void AllReduce(Span<double> buffer, ReduceOp op = ReduceOp.Sum);

    /// <inheritdoc/>
    public abstract void Broadcast(Span<byte> buffer, int root = 0);

    /// <inheritdoc/>
    public abstract void Barrier();

    /// <inheritdoc/>
    public virtual void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        RequireCpu(tensor);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // MPI has no bfloat16 type: reduce a float32 copy and round once at the end, which is also
        // more accurate than summing in bf16 rank by rank.
        bool direct = tensor.is_contiguous() && tensor.dtype is ScalarType.Float32 or ScalarType.Float64;
        var work = direct ? tensor : tensor.dtype switch
        {
            ScalarType.Float32 or ScalarType.Float64 => tensor.contiguous(),
            ScalarType.BFloat16 or ScalarType.Float16 => tensor.to(ScalarType.Float32).contiguous(),
            _ => throw new DistributedException(Rank, Size, $"all-reduce of a {tensor.dtype} tensor is not supported (float32, float64, bfloat16, float16)."),
        };
        if (work.dtype == ScalarType.Float64) AllReduce(TensorMemory.DoubleSpan(work), op);
        else AllReduce(TensorMemory.FloatSpan(work), op);
        if (!direct) tensor.copy_(work);
    }

    /// <inheritdoc/>
    public virtual void Broadcast(Tensor tensor, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        RequireCpu(tensor);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        bool direct = tensor.is_contiguous();
        var work = direct ? tensor : tensor.contiguous();
        Broadcast(TensorMemory.ByteSpan(work), root);
        if (!direct) tensor.copy_(work);
    }

    /// <summary>Releases the backend; the base has nothing to release.</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>Throws when <paramref name="root"/> is not a rank.</summary>
    protected void CheckRoot(int root)
    {
        if (root < 0 || root >= Size) throw new DistributedException(Rank, Size, $"broadcast root {root} is outside [0, {Size}).");
    }

    private void RequireCpu(Tensor tensor)
    {
        if (tensor.device_type != DeviceType.CPU)
            throw new DistributedException(Rank, Size, $"the {Backend} backend reduces CPU tensors; got one on {tensor.device} (use NCCL for GPU tensors).");
    }
}
