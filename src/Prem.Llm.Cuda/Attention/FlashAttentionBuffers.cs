namespace Prem.Llm.Cuda.Attention;

/// <summary>Element type of Q, K, V, O and the gradients.</summary>
internal enum FlashAttentionDtype
{
    /// <summary>bfloat16.</summary>
    BFloat16,
    /// <summary>IEEE half precision.</summary>
    Float16,
}

/// <summary>
/// Device addresses for one call. Q-shaped tensors (Q, O, dO, dQ) share <see cref="QStrides"/>, K-shaped
/// ones (K, V, dK, dV) share <see cref="KStrides"/>; the head dimension is contiguous. LSE and Delta are
/// fp32 [HeadsQ, TotalQ]; DQAccum is fp32 [TotalQ, HeadsQ, HeadDim]. Gradient fields are only read by
/// the backward pass. For packed sequences CuSeqlensQ/K point to int32 copies of the problem's offsets.
/// </summary>
internal readonly record struct FlashAttentionBuffers
{
    /// <summary>Queries.</summary>
    public ulong Q { get; init; }
    /// <summary>Keys.</summary>
    public ulong K { get; init; }
    /// <summary>Values.</summary>
    public ulong V { get; init; }
    /// <summary>Output (written by the forward pass, read by the backward pass).</summary>
    public ulong O { get; init; }
    /// <summary>Row log-sum-exp, fp32 [HeadsQ, TotalQ].</summary>
    public ulong Lse { get; init; }
    /// <summary>Gradient of the output.</summary>
    public ulong DOut { get; init; }
    /// <summary>Gradient of Q (written).</summary>
    public ulong DQ { get; init; }
    /// <summary>Gradient of K (written).</summary>
    public ulong DK { get; init; }
    /// <summary>Gradient of V (written).</summary>
    public ulong DV { get; init; }
    /// <summary>fp32 workspace [TotalQ, HeadsQ, HeadDim] for dQ.</summary>
    public ulong DQAccum { get; init; }
    /// <summary>fp32 workspace [HeadsQ, TotalQ] for rowsum(dO ∘ O).</summary>
    public ulong Delta { get; init; }
    /// <summary>int32 [NumSequences + 1] query offsets, or 0 for a fixed-length batch.</summary>
    public ulong CuSeqlensQ { get; init; }
    /// <summary>int32 [NumSequences + 1] key offsets, or 0 for a fixed-length batch.</summary>
    public ulong CuSeqlensK { get; init; }
    /// <summary>Strides of Q, O, dO, dQ.</summary>
    public TensorStrides QStrides { get; init; }
    /// <summary>Strides of K, V, dK, dV.</summary>
    public TensorStrides KStrides { get; init; }
}
