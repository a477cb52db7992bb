namespace Prem.Llm.Data;

/// <summary>
/// Packing arithmetic: a split's documents (each BOS + tokens + EOS) are concatenated into one token
/// stream, which is cut into windows of <c>seqLen + 1</c> tokens; a window gives inputs
/// <c>window[0..seqLen)</c> and targets <c>window[1..seqLen+1)</c>. No padding is ever added; the tail
/// that does not fill a window is dropped and counted.
/// <para>
/// Window stride. By default consecutive windows do not overlap (stride <c>seqLen + 1</c>): this is
/// what litgpt's pretraining does, through Lightning Data's <c>TokensLoader(block_size=seqLen + 1)</c>,
/// which reads block i at token offset <c>i · block_size</c> (and lit-gpt's older <c>PackedDataset</c>
/// the same), so the last token of a window is only ever a target. With
/// <c>overlap: true</c> the stride is <c>seqLen</c>: window k+1 starts with window k's last token, so every
/// token except the first is a target exactly once (nanoGPT-style contiguous batches).
/// </para>
/// </summary>
internal static class TokenPacker
{
    /// <summary>Distance in tokens between the starts of consecutive windows.</summary>
    public static long Stride(int seqLen, bool overlap)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seqLen);
        return overlap ? seqLen : seqLen + 1L;
    }

    /// <summary>Number of whole windows in a stream of <paramref name="totalTokens"/> tokens.</summary>
    public static long WindowCount(long totalTokens, int seqLen, bool overlap = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(totalTokens);
        long stride = Stride(seqLen, overlap);
        return totalTokens < seqLen + 1L ? 0 : (totalTokens - (seqLen + 1L)) / stride + 1;
    }

    /// <summary>Token offset where window <paramref name="window"/> starts.</summary>
    public static long WindowStart(long window, int seqLen, bool overlap = false) => window * Stride(seqLen, overlap);

    /// <summary>Tokens after the last whole window, which no window contains.</summary>
    public static long DroppedTail(long totalTokens, int seqLen, bool overlap = false)
    {
        long n = WindowCount(totalTokens, seqLen, overlap);
        return n == 0 ? totalTokens : totalTokens - (WindowStart(n - 1, seqLen, overlap) + seqLen + 1);
    }

    /// <summary>
    /// Per-token document ids for the tokens [<paramref name="start"/>, start + ids.Length) of the
    /// stream: the document holding token <paramref name="start"/> is 0 and the id goes up by one at
    /// each document start, so the numbering restarts in every window.
    /// </summary>
    /// <param name="documentStarts">Ascending token offsets where documents start (the first is 0).</param>
    /// <param name="start">Stream offset of the first token.</param>
    /// <param name="ids">Receives the ids.</param>
    public static void DocumentIds(ReadOnlySpan<long> documentStarts, long start, Span<long> ids)
    {
        // The last document starting at or before `start`.
        int doc = documentStarts.BinarySearch(start);
        if (doc < 0) doc = ~doc - 1;
        long id = 0;
        int next = doc + 1;
        for (int i = 0; i < ids.Length; i++)
        {
            while (next < documentStarts.Length && documentStarts[next] <= start + i)
            {
                id++;
                next++;
            }
            ids[i] = id;
        }
    }

    /// <summary>
    /// Packs in-memory documents: concatenates them and returns every whole window
    /// (<c>seqLen + 1</c> tokens) with the document ids of its tokens. For small data and tests; the
    /// <see cref="PackedTokenDataset"/> does the same over memory-mapped shards.
    /// </summary>
    public static IReadOnlyList<(int[] Tokens, long[] DocumentIds)> Pack(IEnumerable<int[]> documents, int seqLen, bool overlap = false)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var stream = new List<int>();
        var starts = new List<long>();
        foreach (var d in documents)
        {
            starts.Add(stream.Count);
            stream.AddRange(d);
        }
        var startArray = starts.ToArray();
        var windows = new List<(int[], long[])>();
        long count = WindowCount(stream.Count, seqLen, overlap);
        for (long k = 0; k < count; k++)
        {
            int s = (int)WindowStart(k, seqLen, overlap);
            var ids = new long[seqLen + 1];
            DocumentIds(startArray, s, ids);
            windows.Add((stream.GetRange(s, seqLen + 1).ToArray(), ids));
        }
        return windows;
    }
}
