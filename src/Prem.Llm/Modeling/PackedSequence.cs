using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Modeling;

/// <summary>
/// Helpers for packed rows (several documents in one row): document ids from lengths, and positions
/// that restart at 0 where a new document begins.
/// </summary>
internal static class PackedSequence
{
    /// <summary>
    /// Document ids [batch, seq] (int64) from each row's document lengths; every row's lengths must
    /// sum to <paramref name="seqLength"/>.
    /// </summary>
    public static Tensor DocumentIdsFromLengths(IReadOnlyList<IReadOnlyList<int>> lengths, int seqLength)
    {
        var ids = new long[lengths.Count * seqLength];
        for (int row = 0; row < lengths.Count; row++)
        {
            int at = 0;
            for (int doc = 0; doc < lengths[row].Count; doc++)
            {
                int n = lengths[row][doc];
                if (n <= 0 || at + n > seqLength)
                    throw new ArgumentException($"Row {row}: document {doc} has length {n}; lengths must be positive and sum to {seqLength}.", nameof(lengths));
                Array.Fill(ids, doc, row * seqLength + at, n);
                at += n;
            }
            if (at != seqLength)
                throw new ArgumentException($"Row {row}: document lengths sum to {at}, not {seqLength}.", nameof(lengths));
        }
        return tensor(ids, [lengths.Count, seqLength]);
    }

    /// <summary>Positions [batch, seq] counting from 0 at the first token of each document.</summary>
    public static Tensor Positions(Tensor documentIds)
    {
        using var scope = NewDisposeScope();
        long seq = documentIds.shape[1];
        var index = arange(seq, dtype: ScalarType.Int64, device: documentIds.device).expand_as(documentIds);
        var previous = cat([documentIds.narrow(1, 0, 1), documentIds.narrow(1, 0, seq - 1)], 1);
        var starts = documentIds.ne(previous);
        var startIndex = where(starts, index, zeros_like(index));
        var documentStart = startIndex.cummax(1).values;
        return index.sub(documentStart).MoveToOuterDisposeScope();
    }
}
