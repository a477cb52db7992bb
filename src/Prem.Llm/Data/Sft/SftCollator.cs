using Prem.Llm.Text;
using static TorchSharp.torch;

namespace Prem.Llm.Data;

/// <summary>
/// Stacks SFT rows into a <see cref="SftBatch"/>: right-pads every row to the longest (rounded up to a
/// multiple when asked) with the pad id, labels −100 and attention mask 0 on the padding.
/// </summary>
public static class SftCollator
{
    /// <summary>
    /// The padding id: the tokenizer's pad token, else its EOS (HF's usual fallback). Padding is masked
    /// out of attention and loss, so the choice only has to be a valid id.
    /// </summary>
    public static int PadIdOf(ITextTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return tokenizer.PadId ?? tokenizer.EosId;
    }

    /// <summary>The padded length of a batch whose longest row has <paramref name="longest"/> tokens.</summary>
    public static int PaddedLength(int longest, int padToMultipleOf)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(padToMultipleOf);
        return (longest + padToMultipleOf - 1) / padToMultipleOf * padToMultipleOf;
    }

    /// <summary>Collates <paramref name="rows"/>; document ids are emitted when the rows are packed.</summary>
    public static SftBatch Collate(IReadOnlyList<SftExample> rows, int padId, int padToMultipleOf = 1, LoaderState? state = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("no rows to collate.", nameof(rows));
        bool packed = rows[0].DocumentIds is not null;
        if (rows.Any(r => (r.DocumentIds is not null) != packed))
            throw new ArgumentException("rows mix packed and unpacked examples.", nameof(rows));
        int b = rows.Count, t = PaddedLength(rows.Max(r => r.Length), padToMultipleOf);
        var ids = new long[b * t];
        var labels = new long[b * t];
        var mask = new long[b * t];
        var docs = packed ? new long[b * t] : null;
        Array.Fill(ids, padId);
        Array.Fill(labels, ConversationEncoder.IgnoreIndex);
        for (int i = 0; i < b; i++)
        {
            var r = rows[i];
            if (r.Labels.Length != r.Length) throw new ArgumentException($"{r.Source}: {r.Length} ids but {r.Labels.Length} labels.", nameof(rows));
            int at = i * t;
            for (int k = 0; k < r.Length; k++)
            {
                ids[at + k] = r.InputIds[k];
                labels[at + k] = r.Labels[k];
                mask[at + k] = 1;
            }
            if (docs is null) continue;
            for (int k = 0; k < r.Length; k++) docs[at + k] = r.DocumentIds![k];
            long padDoc = r.Length == 0 ? 0 : r.DocumentIds![^1] + 1;
            for (int k = r.Length; k < t; k++) docs[at + k] = padDoc;
        }
        long[] shape = [b, t];
        return new SftBatch(tensor(ids, shape), tensor(labels, shape), tensor(mask, shape), docs is null ? null : tensor(docs, shape), state);
    }
}
