using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Attention;

/// <summary>
/// LibTorch's fused <c>scaled_dot_product_attention</c>. TorchSharp's binding has no <c>scale</c> and
/// no GQA, so KV heads are repeated here and a non-default scale is folded into the query.
/// On the CPU in bf16/fp16 with at most <see cref="DecomposedMaxKeys"/> keys (512 unless set) and a plain mask, the
/// product is formed decomposed by the eager backend (QKᵀ, float32 softmax, PV): forward plus
/// backward it takes 0.55–0.76× the fused CPU kernel's time at 256 keys and about the same (0.85–1.2×)
/// at 512 (benchmarks/README.md, "bf16 attention on the CPU"). Its scores are rounded to bf16, as in
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

    // The decomposed form is exactly the eager backend's.
    private static readonly EagerAttention Decomposed = new();

    /// <inheritdoc />
    public string Name => "sdpa";

    /// <inheritdoc />
    public Tensor Forward(Tensor query, Tensor key, Tensor value, AttentionMask mask, double scale)
    {
        using var scope = NewDisposeScope();
        long groups = KvHeads.Groups(query, key);
        long tq = query.shape[2], tk = key.shape[2];
        bool plain = mask.IsPlain && (!mask.IsCausal || tq == tk);
        if (plain && query.device_type == DeviceType.CPU && query.dtype is ScalarType.BFloat16 or ScalarType.Float16 && tk <= DecomposedMaxKeys)
            return Decomposed.Forward(query, key, value, mask, scale).MoveToOuterDisposeScope();

        var k = KvHeads.Repeat(key, groups);
        var v = KvHeads.Repeat(value, groups);
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
