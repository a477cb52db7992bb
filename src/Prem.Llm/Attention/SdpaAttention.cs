using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Attention;

/// <summary>
/// LibTorch's fused <c>scaled_dot_product_attention</c>, always (float32 scores inside the kernel).
/// TorchSharp's binding has no <c>scale</c> and no GQA, so KV heads are repeated here and a
/// non-default scale is folded into the query. The built-in "sdpa" backend is
/// <see cref="AutoSdpaAttention"/>, which uses this one except for short half-precision attention on the CPU.
/// </summary>
public sealed class SdpaAttention : IAttentionBackend
{
    /// <inheritdoc />
    public string Name => "sdpa";

    /// <inheritdoc />
    public Tensor Forward(Tensor query, Tensor key, Tensor value, AttentionMask mask, double scale)
    {
        using var scope = NewDisposeScope();
        long groups = KvHeads.Groups(query, key);
        long tq = query.shape[2], tk = key.shape[2];
        var k = KvHeads.Repeat(key, groups);
        var v = KvHeads.Repeat(value, groups);
        double defaultScale = 1.0 / Math.Sqrt(query.shape[3]);
        var q = Math.Abs(scale - defaultScale) < 1e-12 * defaultScale ? query : query.mul(scale / defaultScale);
        Tensor output;
        if (AutoSdpaAttention.IsPlain(mask, tq, tk))
        {
            // LibTorch aligns its causal mask top-left, which is right only when queries and keys coincide.
            output = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: mask.IsCausal);
        }
        else
        {
            var allowed = mask.ToBoolMask(tq, tk, query.device);
            output = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: allowed);
        }
        return output.MoveToOuterDisposeScope();
    }
}
