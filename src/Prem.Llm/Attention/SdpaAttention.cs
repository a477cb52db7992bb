using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Attention;

/// <summary>
/// LibTorch's fused <c>scaled_dot_product_attention</c>. TorchSharp's binding has no <c>scale</c> and
/// no GQA, so KV heads are repeated here and a non-default scale is folded into the query.
/// On the CPU in bf16/fp16 with at most <see cref="DecomposedMaxKeys"/> keys (512 unless set) and a plain mask, the
/// product is formed decomposed (QKᵀ, float32 softmax, PV), as the eager backend does: forward plus
/// backward it takes 0.55× the fused CPU kernel's time at 256 keys and 0.85× at 512, and the same at
/// 1,024 (benchmarks/README.md, "bf16 attention on the CPU"). Its scores are rounded to bf16, as in
/// HF's eager attention; the fused kernel keeps them in float32.
/// </summary>
public sealed class SdpaAttention : IAttentionBackend
{
    /// <summary>The default <see cref="DecomposedMaxKeys"/>.</summary>
    public const int DefaultDecomposedMaxKeys = 512;

    /// <summary>Creates the backend.</summary>
    /// <param name="decomposedMaxKeys">Longest key length for which half-precision CPU attention is
    /// computed decomposed; 0 always uses LibTorch's fused kernel (float32 scores, slower on the CPU).</param>
    public SdpaAttention(int decomposedMaxKeys = DefaultDecomposedMaxKeys)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decomposedMaxKeys);
        DecomposedMaxKeys = decomposedMaxKeys;
    }

    /// <summary>Longest key length for which half-precision CPU attention is computed decomposed.</summary>
    public int DecomposedMaxKeys { get; }

    /// <inheritdoc />
    public string Name => "sdpa";

    /// <inheritdoc />
    public Tensor Forward(Tensor query, Tensor key, Tensor value, AttentionMask mask, double scale)
    {
        using var scope = NewDisposeScope();
        var (k, v) = KvHeads.RepeatForQuery(query, key, value);
        long tq = query.shape[2], tk = k.shape[2];

        bool plain = mask.IsPlain && (!mask.IsCausal || tq == tk);
        if (plain && query.device_type == DeviceType.CPU && query.dtype is ScalarType.BFloat16 or ScalarType.Float16 && tk <= DecomposedMaxKeys)
        {
            // Out of place: an in-place bf16 multiply by a scale like 0.7 gave measurably less exact scores.
            var scores = matmul(query, k.transpose(2, 3)).mul(scale);
            if (mask.IsCausal) scores.masked_fill_(ones(tq, tk, ScalarType.Bool, query.device).triu(1), double.NegativeInfinity);
            return matmul(scores.softmax(-1, ScalarType.Float32).to_type(query.dtype), v).MoveToOuterDisposeScope();
        }

        double defaultScale = 1.0 / Math.Sqrt(query.shape[3]);
        var q = Math.Abs(scale - defaultScale) < 1e-12 * defaultScale ? query : query.mul(scale / defaultScale);
        Tensor output;
        if (plain)
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
