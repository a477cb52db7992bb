using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Attention;

/// <summary>
/// Describes which keys each query may attend to: causal order, right/left padding, packed documents
/// and cached keys in front of the queries. Backends either read the fields directly (fused kernels)
/// or call <see cref="ToBoolMask"/>.
/// </summary>
/// <remarks>
/// Query i of a step sits at key position <see cref="QueryOffset"/> + i. A query always sees its own
/// key, so rows made only of padding never become all-masked (which would give NaN); real rows are
/// unaffected because their own key is real.
/// </remarks>
public sealed class AttentionMask
{
    /// <summary>Plain causal attention over unpadded rows with no cache: the common training case.</summary>
    public static AttentionMask Causal { get; } = new();

    /// <summary>True for causal (decoder) attention, false for full attention.</summary>
    public bool IsCausal { get; init; } = true;

    /// <summary>Number of cached keys in front of the first query (0 without a KV cache).</summary>
    public long QueryOffset { get; init; }

    /// <summary>[batch, keyLength] bool, true where the key is a real token; null when no row is padded.</summary>
    public Tensor? KeyPadding { get; init; }

    /// <summary>[batch, length] int64 document ids for packed rows (queries and keys share positions);
    /// a query sees only keys of its own document. Null when rows are not packed.</summary>
    public Tensor? DocumentIds { get; init; }

    /// <summary>
    /// Sliding-window attention (Mistral's <c>sliding_window</c>): a query at key position q sees key k
    /// only when q − k &lt; SlidingWindow, i.e. itself and the SlidingWindow − 1 keys before it (HF's
    /// <c>sliding_window_overlay</c>: kv_idx &gt; q_idx − sliding_window). Positions are key positions
    /// in the row (cache slots, padding included), as in HF. Null for no window.
    /// </summary>
    public long? SlidingWindow { get; init; }

    /// <summary>True when only causality (or nothing) restricts attention, so fused causal paths apply.</summary>
    public bool IsPlain => KeyPadding is null && DocumentIds is null && QueryOffset == 0 && SlidingWindow is null;

    /// <summary>
    /// The mask as a bool tensor [batch or 1, 1, queryLength, keyLength], true where attention is allowed.
    /// </summary>
    public Tensor ToBoolMask(long queryLength, long keyLength, Device device)
    {
        using var scope = NewDisposeScope();
        var queryPos = arange(QueryOffset, QueryOffset + queryLength, dtype: ScalarType.Int64, device: device).unsqueeze(1);
        var keyPos = arange(0, keyLength, dtype: ScalarType.Int64, device: device).unsqueeze(0);
        Tensor allowed = IsCausal ? keyPos.le(queryPos) : ones(queryLength, keyLength, ScalarType.Bool, device);
        allowed = allowed.unsqueeze(0).unsqueeze(0);
        if (KeyPadding is not null)
        {
            if (KeyPadding.shape[^1] != keyLength)
                throw new ArgumentException($"KeyPadding has {KeyPadding.shape[^1]} keys; attention has {keyLength}.", nameof(KeyPadding));
            allowed = allowed.logical_and(KeyPadding.to(device).to_type(ScalarType.Bool).unsqueeze(1).unsqueeze(1));
        }
        if (DocumentIds is not null)
        {
            if (QueryOffset != 0 || DocumentIds.shape[^1] != keyLength || keyLength != queryLength)
                throw new ArgumentException("DocumentIds apply to a full packed row without a KV cache.", nameof(DocumentIds));
            var ids = DocumentIds.to(device);
            allowed = allowed.logical_and(ids.unsqueeze(2).eq(ids.unsqueeze(1)).unsqueeze(1));
        }
        if (SlidingWindow is long window)
        {
            if (window <= 0) throw new ArgumentException($"SlidingWindow must be positive, got {window}.", nameof(SlidingWindow));
            allowed = allowed.logical_and(keyPos.gt(queryPos.sub(window)).unsqueeze(0).unsqueeze(0));
        }
        if (QueryOffset + queryLength <= keyLength)
        {
            var self = keyPos.eq(queryPos).unsqueeze(0).unsqueeze(0);
            allowed = allowed.logical_or(self);
        }
        return allowed.MoveToOuterDisposeScope();
    }
}
