using static TorchSharp.torch;

namespace Prem.Llm.Cuda.Attention;

/// <summary>
/// The autograd node: forward saves Q, K, V, O and the LSE (no N×N matrix); backward runs the fused
/// backward. Inputs are [batch, heads, length, headDim]; the executor gets token-major copies.
/// Arguments: q, k, v, then an <see cref="Call"/>.
/// </summary>
internal sealed class FlashAttentionFunction : autograd.MultiTensorFunction<FlashAttentionFunction>
{
    /// <summary>What a call needs besides its tensors.</summary>
    internal sealed record Call(AttentionProblem Problem, bool Packed, IFlashAttentionExecutor Executor);

    public override string Name => "FlashAttention";

    public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (q, k, v, call) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Call)vars[3]);
        var (qt, kt, vt) = (TokenMajor(q), TokenMajor(k), TokenMajor(v));
        var (o, lse) = call.Executor.Forward(call.Problem, call.Packed, qt, kt, vt);
        ctx.save_for_backward([qt, kt, vt, o, lse]);
        ctx.save_data("call", call);
        return [o.transpose(1, 2)];
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grads)
    {
        var saved = ctx.get_saved_variables();
        var call = (Call)ctx.get_data("call");
        var (dq, dk, dv) = call.Executor.Backward(call.Problem, call.Packed, saved[0], saved[1], saved[2], saved[3], saved[4], TokenMajor(grads[0]));
        // One gradient per argument: the trailing Call is not a tensor, so it gets none (null).
        return [dq.transpose(1, 2), dk.transpose(1, 2), dv.transpose(1, 2), null!];
    }

    static Tensor TokenMajor(Tensor t) => t.transpose(1, 2).contiguous();
}
