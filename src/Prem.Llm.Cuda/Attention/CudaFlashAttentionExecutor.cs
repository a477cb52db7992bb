using TorchSharp;
using Prem.Llm.Native;
using Prem.Llm.Cuda.Runtime;
using static TorchSharp.torch;

namespace Prem.Llm.Cuda.Attention;

/// <summary>Launches the CUDA kernels on TorchSharp CUDA tensors, on the legacy default stream that
/// TorchSharp uses, inside libtorch's primary context.</summary>
internal sealed class CudaFlashAttentionExecutor(Func<FlashAttention> kernels) : IFlashAttentionExecutor
{
    readonly Lazy<FlashAttention> _kernels = new(kernels);

    public void CheckTensor(Tensor tensor, string name)
    {
        if (tensor.dtype is not (ScalarType.BFloat16 or ScalarType.Float16))
            throw new CudaException($"Argument '{name}' is {tensor.dtype}; the flash-attention kernels take BFloat16 or Float16.");
        if (tensor.device_type != DeviceType.CUDA)
            throw new CudaException($"Argument '{name}' is on {tensor.device}; the flash-attention kernels need CUDA tensors.");
    }

    public (Tensor O, Tensor Lse) Forward(AttentionProblem problem, bool packed, Tensor q, Tensor k, Tensor v)
    {
        var o = empty_like(q);
        var lse = empty(problem.HeadsQ, problem.TotalQ, ScalarType.Float32, q.device);
        using var offsets = packed ? Offsets(problem, q.device) : null;
        var buffers = Buffers(problem, q, k, v, o, lse, offsets);
        _kernels.Value.Forward(problem, Dtype(q), buffers);
        return (o, lse);
    }

    public (Tensor Dq, Tensor Dk, Tensor Dv) Backward(AttentionProblem problem, bool packed, Tensor q, Tensor k, Tensor v, Tensor o, Tensor lse, Tensor dO)
    {
        var (dq, dk, dv) = (empty_like(q), empty_like(k), empty_like(v));
        using var accum = empty(problem.TotalQ, problem.HeadsQ, problem.HeadDim, ScalarType.Float32, q.device);
        using var delta = empty(problem.HeadsQ, problem.TotalQ, ScalarType.Float32, q.device);
        using var offsets = packed ? Offsets(problem, q.device) : null;
        var buffers = Buffers(problem, q, k, v, o, lse, offsets) with
        {
            DOut = Pointer(dO), DQ = Pointer(dq), DK = Pointer(dk),
            DV = Pointer(dv), DQAccum = Pointer(accum), Delta = Pointer(delta),
        };
        _kernels.Value.Backward(problem, Dtype(q), buffers);
        return (dq, dk, dv);
    }

    static FlashAttentionDtype Dtype(Tensor t) => t.dtype == ScalarType.BFloat16 ? FlashAttentionDtype.BFloat16 : FlashAttentionDtype.Float16;

    static Tensor Offsets(AttentionProblem p, Device device) => tensor(p.CuSeqlensQ, ScalarType.Int32).to(device);

    // q: [batch, length, heads, headDim] contiguous, so a token is heads·headDim elements.
    static FlashAttentionBuffers Buffers(AttentionProblem p, Tensor q, Tensor k, Tensor v, Tensor o, Tensor lse, Tensor? offsets) => new()
    {
        Q = Pointer(q), K = Pointer(k), V = Pointer(v),
        O = Pointer(o), Lse = Pointer(lse),
        CuSeqlensQ = offsets is null ? 0 : Pointer(offsets),
        CuSeqlensK = offsets is null ? 0 : Pointer(offsets),
        QStrides = TensorStrides.TokenMajor((int)q.shape[1], p.HeadsQ, p.HeadDim),
        KStrides = TensorStrides.TokenMajor((int)k.shape[1], p.HeadsKv, p.HeadDim),
    };

    static ulong Pointer(Tensor tensor) => (ulong)TorchSharpNative.DataPointer(tensor);
}
