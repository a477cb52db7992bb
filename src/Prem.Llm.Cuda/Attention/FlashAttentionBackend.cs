using TorchSharp;
using Prem.Llm.Attention;
using Prem.Llm.Cuda.Runtime;
using static TorchSharp.torch;

namespace Prem.Llm.Cuda.Attention;

/// <summary>
/// The model's attention backend on our kernels ("flash"). Plain causal or full attention maps to the
/// fixed-length kernel; packed rows (<see cref="AttentionMask.DocumentIds"/>) map to the variable-length
/// kernel, one sequence per document run. Masks the kernels cannot express — key padding and queries
/// behind a KV cache (<see cref="AttentionMask.QueryOffset"/> &gt; 0) — go to the fallback backend given
/// at construction, or throw <see cref="NotSupportedException"/> when there is none.
/// </summary>
public sealed class FlashAttentionBackend : IAttentionBackend
{
    readonly IFlashAttentionExecutor _executor;
    readonly IAttentionBackend? _fallback;

    /// <summary>A backend on device 0's primary context; kernels compile at first use.</summary>
    /// <param name="fallback">Backend for masks the kernels cannot express (e.g. the SDPA backend); null to throw instead.</param>
    /// <param name="cache">Where compiled kernels are kept; <see cref="KernelCache.Default"/> when null.</param>
    public FlashAttentionBackend(IAttentionBackend? fallback = null, KernelCache? cache = null)
        : this(new CudaFlashAttentionExecutor(() => FlashAttention.Load(CudaContext.Open(), cache)), fallback)
    {
    }

    internal FlashAttentionBackend(IFlashAttentionExecutor executor, IAttentionBackend? fallback)
    {
        _executor = executor;
        _fallback = fallback;
    }

    /// <inheritdoc/>
    public string Name => "flash";

    /// <summary>True when the kernels can express <paramref name="mask"/>.</summary>
    public static bool Supports(AttentionMask mask) => mask.KeyPadding is null && mask.QueryOffset == 0 && mask.SlidingWindow is null;

    /// <inheritdoc/>
    /// <exception cref="CudaException">Shapes, dtypes or devices the kernels cannot take (the message names the argument).</exception>
    /// <exception cref="NotSupportedException">The mask needs key padding or a KV cache offset and no fallback was given.</exception>
    public Tensor Forward(Tensor query, Tensor key, Tensor value, AttentionMask mask, double scale)
    {
        if (!Supports(mask))
        {
            if (_fallback is not null) return _fallback.Forward(query, key, value, mask, scale);
            throw new NotSupportedException("FlashAttentionBackend cannot express key padding or a KV-cache query offset; "
                + "construct it with a fallback backend (e.g. SDPA) for those masks.");
        }
        var (problem, packed) = Plan(query, key, value, mask, scale);
        foreach (var (t, name) in new[] { (query, nameof(query)), (key, nameof(key)), (value, nameof(value)) })
            _executor.CheckTensor(t, name);
        return FlashAttentionFunction.apply(query, key, value, new FlashAttentionFunction.Call(problem, packed, _executor))[0];
    }

    /// <summary>Checks shapes and builds the kernels' problem: fixed-length, or one sequence per
    /// document run for packed rows. Host logic only; no device work.</summary>
    internal static (AttentionProblem Problem, bool Packed) Plan(Tensor query, Tensor key, Tensor value, AttentionMask mask, double scale)
    {
        if (query.dim() != 4) throw new CudaException($"Argument 'query' must be [batch, queryHeads, length, headDim]; got {Shape(query)}.");
        if (key.dim() != 4 || value.dim() != 4) throw new CudaException($"Arguments 'key' and 'value' must be [batch, kvHeads, length, headDim]; got {Shape(key)} and {Shape(value)}.");
        if (!key.shape.SequenceEqual(value.shape)) throw new CudaException($"Argument 'value' {Shape(value)} must match 'key' {Shape(key)}.");
        if (query.dtype != key.dtype || query.dtype != value.dtype) throw new CudaException($"query, key and value must share a dtype; got {query.dtype}, {key.dtype}, {value.dtype}.");
        var (batch, hq, lq, d) = ((int)query.shape[0], (int)query.shape[1], (int)query.shape[2], (int)query.shape[3]);
        var (hkv, lk) = ((int)key.shape[1], (int)key.shape[2]);
        if (key.shape[0] != batch || key.shape[3] != d)
            throw new CudaException($"Argument 'key' {Shape(key)} must have batch {batch} and headDim {d} like 'query' {Shape(query)}.");
        if (d is not (64 or 128)) throw new CudaException($"Argument 'query' has headDim {d}; the kernels support 64 and 128.");
        if (hkv == 0 || hq % hkv != 0) throw new CudaException($"Argument 'query' has {hq} heads, not a multiple of the {hkv} KV heads of 'key'.");
        if (mask.IsCausal && lq != lk) throw new CudaException($"Causal flash attention needs equal query and key lengths; got {lq} and {lk}.");
        if (mask.DocumentIds is null)
            return (AttentionProblem.FixedLength(batch, lq, lk, hq, hkv, d, mask.IsCausal, (float)scale), false);

        if (lq != lk || !mask.DocumentIds.shape.SequenceEqual(new long[] { batch, lq }))
            throw new CudaException($"DocumentIds {Shape(mask.DocumentIds)} must be [batch {batch}, length {lq}] with equal query and key lengths.");
        var ids = mask.DocumentIds.to(DeviceType.CPU).to_type(ScalarType.Int64).contiguous().data<long>().ToArray();
        var offsets = SequenceOffsets.FromDocumentIds(ids, batch, lq);
        return (new AttentionProblem(offsets, offsets, hq, hkv, d, mask.IsCausal, (float)scale), true);
    }

    static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}
