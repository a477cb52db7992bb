using Prem.Llm.Cuda.Runtime;
using static TorchSharp.torch;

namespace Prem.Llm.Cuda.Attention;

/// <summary>
/// Runs the two passes on token-major contiguous tensors ([batch, length, heads, headDim]; packed rows
/// are sequences of <see cref="AttentionProblem"/> over the flattened tokens). The CUDA executor
/// launches the kernels; the reference executor runs <see cref="Reference.FlashAttentionReference"/>
/// so the autograd wiring is tested on the CPU.
/// </summary>
internal interface IFlashAttentionExecutor
{
    /// <summary>Throws a <see cref="CudaException"/> unless tensors of this type and device can run.</summary>
    void CheckTensor(Tensor tensor, string name);

    /// <summary>O (like q) and LSE (fp32 [HeadsQ, TotalQ]).</summary>
    (Tensor O, Tensor Lse) Forward(AttentionProblem problem, bool packed, Tensor q, Tensor k, Tensor v);

    /// <summary>dQ, dK, dV (like q, k, v).</summary>
    (Tensor Dq, Tensor Dk, Tensor Dv) Backward(AttentionProblem problem, bool packed, Tensor q, Tensor k, Tensor v, Tensor o, Tensor lse, Tensor dO);
}
