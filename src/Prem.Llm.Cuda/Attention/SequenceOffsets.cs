using Prem.Llm.Cuda.Runtime;

namespace Prem.Llm.Cuda.Attention;

/// <summary>
/// Turns the model's packed-row description (a document id per token) into the variable-length
/// kernel's cumulative sequence offsets over the flattened [batch · length] tokens.
/// </summary>
internal static class SequenceOffsets
{
    /// <summary>
    /// Offsets of the documents in <paramref name="documentIds"/> ([batch, length] row-major): a new
    /// sequence starts at every row start and wherever the id changes. Each document must be one
    /// contiguous run within its row, since the kernel cannot attend across a gap.
    /// </summary>
    /// <exception cref="CudaException">A document id reappears after another document in the same row.</exception>
    public static int[] FromDocumentIds(ReadOnlySpan<long> documentIds, int batch, int length)
    {
        if (batch <= 0 || length <= 0 || documentIds.Length != (long)batch * length)
            throw new CudaException($"DocumentIds has {documentIds.Length} elements; expected batch {batch} × length {length}.");
        var offsets = new List<int> { 0 };
        var seen = new HashSet<long>();
        for (var b = 0; b < batch; b++)
        {
            seen.Clear();
            var row = documentIds.Slice(b * length, length);
            seen.Add(row[0]);
            for (var t = 1; t < length; t++)
            {
                if (row[t] == row[t - 1]) continue;
                if (!seen.Add(row[t]))
                    throw new CudaException($"DocumentIds[{b}, {t}]: document {row[t]} reappears after another document; the variable-length kernel needs each document to be one contiguous run.");
                offsets.Add(b * length + t);
            }
            offsets.Add((b + 1) * length);
        }
        return [.. offsets];
    }

    /// <summary>Offsets of <paramref name="batch"/> sequences of <paramref name="length"/> tokens.</summary>
    public static int[] Fixed(int batch, int length) => Enumerable.Range(0, batch + 1).Select(b => b * length).ToArray();
}
