using TorchSharp;
using Prem.Llm.Cuda.Attention;
using Prem.Llm.Cuda.Runtime;
using static TorchSharp.torch;

namespace Prem.Llm.Cuda.Reference;

/// <summary>Runs the CPU reference on float32 CPU tensors (tests and machines without a GPU).</summary>
internal sealed class ReferenceFlashAttentionExecutor : IFlashAttentionExecutor
{
    public void CheckTensor(Tensor tensor, string name)
    {
        if (tensor.dtype != ScalarType.Float32 || tensor.device_type != DeviceType.CPU)
            throw new CudaException($"Argument '{name}': the reference executor needs float32 CPU tensors, got {tensor.dtype} on {tensor.device}.");
    }

    public (Tensor O, Tensor Lse) Forward(AttentionProblem problem, bool packed, Tensor q, Tensor k, Tensor v)
    {
        var o = new float[q.NumberOfElements];
        var lse = new float[problem.HeadsQ * problem.TotalQ];
        FlashAttentionReference.Forward(problem, Data(q), Data(k), Data(v), o, lse);
        return (tensor(o).reshape(q.shape), tensor(lse).reshape(problem.HeadsQ, problem.TotalQ));
    }

    public (Tensor Dq, Tensor Dk, Tensor Dv) Backward(AttentionProblem problem, bool packed, Tensor q, Tensor k, Tensor v, Tensor o, Tensor lse, Tensor dO)
    {
        var (dq, dk, dv) = (new float[q.NumberOfElements], new float[k.NumberOfElements], new float[v.NumberOfElements]);
        FlashAttentionReferenceBackward.Backward(problem, Data(q), Data(k), Data(v), Data(o), Data(lse), Data(dO), dq, dk, dv);
        return (tensor(dq).reshape(q.shape), tensor(dk).reshape(k.shape), tensor(dv).reshape(v.shape));
    }

    static float[] Data(Tensor t) => t.contiguous().data<float>().ToArray();
}
