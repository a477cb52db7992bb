using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Attention;

/// <summary>
/// The built-in "sdpa" backend (<see cref="AttentionBackends"/>, the model's default): scaled
/// dot-product attention that picks its implementation per call, as PyTorch's own SDPA dispatcher
/// picks among math and fused kernels. On the CPU in bf16/fp16 with at most
/// <see cref="DecomposedMaxKeys"/> keys (512 unless set) and a plain mask (none, or causal with as many
/// queries as keys) it runs <see cref="EagerAttention"/> (QKᵀ, float32 softmax, PV): forward plus
/// backward that takes 0.55–0.76× the fused CPU kernel's time at 256 keys and about the same
/// (0.85–1.2×) at 512 (benchmarks/README.md, "bf16 attention on the CPU"). Its scores are rounded to
/// bf16, as in HF's eager attention. Everything else runs <see cref="SdpaAttention"/>, LibTorch's fused
/// kernel, whose scores stay in float32.
/// </summary>
public sealed class AutoSdpaAttention : IAttentionBackend
{
    /// <summary>The default <see cref="DecomposedMaxKeys"/>.</summary>
    public const int DefaultDecomposedMaxKeys = 512;

    private readonly EagerAttention _decomposed = new();
    private readonly SdpaAttention _fused = new();

    /// <summary>Creates the backend.</summary>
    /// <param name="decomposedMaxKeys">Longest key length for which half-precision CPU attention runs
    /// <see cref="EagerAttention"/>; 0 always uses <see cref="SdpaAttention"/> (float32 scores, slower on the CPU).</param>
    public AutoSdpaAttention(int decomposedMaxKeys = DefaultDecomposedMaxKeys)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decomposedMaxKeys);
        DecomposedMaxKeys = decomposedMaxKeys;
    }

    /// <summary>Longest key length for which half-precision CPU attention runs <see cref="EagerAttention"/>.</summary>
    public int DecomposedMaxKeys { get; }

    /// <summary>"sdpa", the configuration name it answers to.</summary>
    public string Name => "sdpa";

    /// <summary>True when this call runs <see cref="EagerAttention"/> rather than <see cref="SdpaAttention"/>.</summary>
    internal bool RunsDecomposed(Tensor query, Tensor key, AttentionMask mask)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(mask);
        long tk = key.shape[2];
        return IsPlain(mask, query.shape[2], tk) && query.device_type == DeviceType.CPU
            && query.dtype is ScalarType.BFloat16 or ScalarType.Float16 && tk <= DecomposedMaxKeys;
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor query, Tensor key, Tensor value, AttentionMask mask, double scale)
    {
        KvHeads.Groups(query, key);
        return RunsDecomposed(query, key, mask)
            ? _decomposed.Forward(query, key, value, mask, scale)
            : _fused.Forward(query, key, value, mask, scale);
    }

    /// <summary>No mask, or a causal one with as many queries as keys (LibTorch's top-left causal mask is right then).</summary>
    internal static bool IsPlain(AttentionMask mask, long queries, long keys) => mask.IsPlain && (!mask.IsCausal || queries == keys);
}
