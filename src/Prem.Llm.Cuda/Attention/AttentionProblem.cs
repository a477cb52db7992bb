namespace Prem.Llm.Cuda.Attention;

/// <summary>
/// The shape of one attention call as the kernels see it: sequences given by cumulative offsets into a
/// token dimension, query and KV head counts, head size, causality and softmax scale. Fixed-length
/// batches are the special case of equal offsets (<see cref="FixedLength"/>).
/// </summary>
/// <remarks>
/// Tensors are [tokens, heads, headDim] (a contiguous [batch, length, heads, headDim] flattened):
/// sequence b owns tokens CuSeqlensQ[b] .. CuSeqlensQ[b + 1] − 1 of the queries and likewise of the keys.
/// Query head h reads KV head h / (HeadsQ / HeadsKv).
/// </remarks>
internal sealed record AttentionProblem
{
    /// <summary>Creates and validates a problem.</summary>
    /// <exception cref="Runtime.CudaException">A field is out of range; the message names it.</exception>
    public AttentionProblem(int[] cuSeqlensQ, int[] cuSeqlensK, int headsQ, int headsKv, int headDim, bool causal, float scale)
    {
        CuSeqlensQ = cuSeqlensQ;
        CuSeqlensK = cuSeqlensK;
        HeadsQ = headsQ;
        HeadsKv = headsKv;
        HeadDim = headDim;
        Causal = causal;
        Scale = scale;
        Validate();
    }

    /// <summary>A fixed-length batch: <paramref name="batch"/> sequences of equal lengths.</summary>
    public static AttentionProblem FixedLength(int batch, int seqQ, int seqK, int headsQ, int headsKv, int headDim, bool causal, float scale) =>
        new(Enumerable.Range(0, batch + 1).Select(b => b * seqQ).ToArray(),
            Enumerable.Range(0, batch + 1).Select(b => b * seqK).ToArray(), headsQ, headsKv, headDim, causal, scale);

    /// <summary>Query offsets, length NumSequences + 1, starting at 0, non-decreasing.</summary>
    public int[] CuSeqlensQ { get; }
    /// <summary>Key offsets, length NumSequences + 1, starting at 0, non-decreasing.</summary>
    public int[] CuSeqlensK { get; }
    /// <summary>Number of query heads; a multiple of <see cref="HeadsKv"/>.</summary>
    public int HeadsQ { get; }
    /// <summary>Number of key/value heads.</summary>
    public int HeadsKv { get; }
    /// <summary>Elements per head.</summary>
    public int HeadDim { get; }
    /// <summary>Causal attention (needs equal query and key lengths per sequence).</summary>
    public bool Causal { get; }
    /// <summary>Softmax scale, usually 1 / sqrt(HeadDim).</summary>
    public float Scale { get; }

    /// <summary>Number of sequences.</summary>
    public int NumSequences => CuSeqlensQ.Length - 1;
    /// <summary>Query tokens over all sequences.</summary>
    public int TotalQ => CuSeqlensQ[^1];
    /// <summary>Key tokens over all sequences.</summary>
    public int TotalK => CuSeqlensK[^1];
    /// <summary>Query heads per KV head.</summary>
    public int Group => HeadsQ / HeadsKv;
    /// <summary>Longest query sequence.</summary>
    public int MaxSeqlenQ => Enumerable.Range(0, NumSequences).Max(b => CuSeqlensQ[b + 1] - CuSeqlensQ[b]);
    /// <summary>Longest key sequence.</summary>
    public int MaxSeqlenK => Enumerable.Range(0, NumSequences).Max(b => CuSeqlensK[b + 1] - CuSeqlensK[b]);

    void Validate()
    {
        if (CuSeqlensQ.Length < 2 || CuSeqlensK.Length != CuSeqlensQ.Length)
            Fail(nameof(CuSeqlensK), $"query and key offsets need the same length ≥ 2 (got {CuSeqlensQ.Length} and {CuSeqlensK.Length})");
        CheckOffsets(CuSeqlensQ, nameof(CuSeqlensQ));
        CheckOffsets(CuSeqlensK, nameof(CuSeqlensK));
        if (HeadsKv <= 0 || HeadsQ <= 0 || HeadsQ % HeadsKv != 0)
            Fail(nameof(HeadsQ), $"query heads ({HeadsQ}) must be a positive multiple of KV heads ({HeadsKv})");
        if (HeadDim <= 0) Fail(nameof(HeadDim), $"head size must be positive (got {HeadDim})");
        if (!(Scale > 0f) || float.IsInfinity(Scale)) Fail(nameof(Scale), $"softmax scale must be positive and finite (got {Scale})");
        for (var b = 0; b < NumSequences; b++)
        {
            int lq = CuSeqlensQ[b + 1] - CuSeqlensQ[b], lk = CuSeqlensK[b + 1] - CuSeqlensK[b];
            if (lk == 0 && lq > 0) Fail(nameof(CuSeqlensK), $"sequence {b} has {lq} queries but no keys");
            if (Causal && lq != lk) Fail(nameof(Causal), $"causal attention needs equal query and key lengths; sequence {b} has {lq} and {lk}");
        }
    }

    static void CheckOffsets(int[] offsets, string name)
    {
        if (offsets[0] != 0) Fail(name, $"offsets must start at 0 (got {offsets[0]})");
        for (var i = 1; i < offsets.Length; i++)
            if (offsets[i] < offsets[i - 1]) Fail(name, $"offsets must not decrease ({name}[{i}] = {offsets[i]} < {offsets[i - 1]})");
    }

    static void Fail(string field, string message) => throw new Runtime.CudaException($"AttentionProblem.{field}: {message}.");
}
