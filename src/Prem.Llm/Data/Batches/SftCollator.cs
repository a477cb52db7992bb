using Prem.Llm.Text;
using static TorchSharp.torch;

namespace Prem.Llm.Data;

/// <summary>
/// Stacks SFT rows into a <see cref="CausalLmBatch"/> with labels: right-pads every row to the longest
/// (rounded up to a multiple of <see cref="PadToMultipleOf"/>) with the pad id, labels −100 and attention
/// mask 0 on the padding, and document ids when the rows are packed.
/// </summary>
public sealed class SftCollator : ICollator<SftExample, CausalLmBatch>
{
    /// <summary>Creates the collator.</summary>
    /// <param name="padId">The padding id (<see cref="PadIdOf"/>, or <see cref="SftDataset.PadId"/>).</param>
    /// <param name="padToMultipleOf">Batches are padded to a length that is a multiple of this (1: the longest row's length).</param>
    public SftCollator(int padId, int padToMultipleOf = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(padToMultipleOf);
        PadId = padId;
        PadToMultipleOf = padToMultipleOf;
    }

    /// <summary>The padding id.</summary>
    public int PadId { get; }

    /// <summary>Batches are padded to a length that is a multiple of this.</summary>
    public int PadToMultipleOf { get; }

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

    /// <inheritdoc />
    public int LengthOf(SftExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        return example.Length;
    }

    /// <summary>Collates <paramref name="examples"/>; document ids are emitted when the rows are packed.</summary>
    /// <param name="examples">The rows, all packed or all unpacked.</param>
    /// <param name="exampleIds">Their stable ids, or null.</param>
    public CausalLmBatch Collate(IReadOnlyList<SftExample> examples, IReadOnlyList<long>? exampleIds = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0) throw new ArgumentException("no rows to collate.", nameof(examples));
        bool packed = examples[0].DocumentIds is not null;
        if (examples.Any(r => (r.DocumentIds is not null) != packed))
            throw new ArgumentException("rows mix packed and unpacked examples.", nameof(examples));
        int b = examples.Count, t = PaddedLength(examples.Max(r => r.Length), PadToMultipleOf);
        var ids = new long[b * t];
        var labels = new long[b * t];
        var mask = new long[b * t];
        var docs = packed ? new long[b * t] : null;
        Array.Fill(ids, PadId);
        Array.Fill(labels, TrainingBatch.IgnoreIndex);
        for (int i = 0; i < b; i++)
        {
            var r = examples[i];
            if (r.Labels.Length != r.Length) throw new ArgumentException($"{r.Source}: {r.Length} ids but {r.Labels.Length} labels.", nameof(examples));
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
        return new CausalLmBatch(tensor(ids, shape), labels: tensor(labels, shape), attentionMask: tensor(mask, shape),
            documentIds: docs is null ? null : tensor(docs, shape), exampleIds: exampleIds);
    }
}
