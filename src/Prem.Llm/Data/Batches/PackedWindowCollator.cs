using static TorchSharp.torch;

namespace Prem.Llm.Data;

/// <summary>
/// Reads packed windows into a <see cref="CausalLmBatch"/> with targets: input ids, next-token targets
/// (inputs shifted by one) and, unless <see cref="CrossDocumentAttention"/>, each token's document id,
/// all int64 [batch, seq].
/// </summary>
public sealed class PackedWindowCollator : ICollator<PackedWindow, CausalLmBatch>
{
    /// <summary>Attend across documents of a packed row (no document ids); false keeps documents apart (the model's packed mode).</summary>
    public bool CrossDocumentAttention { get; init; }

    /// <summary>The window's length, its dataset's sequence length.</summary>
    public int LengthOf(PackedWindow example) => example.Dataset.SeqLen;

    /// <summary>Reads <paramref name="examples"/>, which must share one sequence length.</summary>
    /// <param name="examples">The windows.</param>
    /// <param name="exampleIds">Their stable ids (the loader passes the window indices), or null.</param>
    public CausalLmBatch Collate(IReadOnlyList<PackedWindow> examples, IReadOnlyList<long>? exampleIds = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0) throw new ArgumentException("no windows to collate.", nameof(examples));
        int b = examples.Count, n = examples[0].Dataset.SeqLen;
        if (examples.Any(w => w.Dataset.SeqLen != n))
            throw new ArgumentException($"windows of different sequence lengths (first {n}).", nameof(examples));
        var inputs = new long[b * n];
        var targets = new long[b * n];
        var docs = new long[b * n];
        for (int i = 0; i < b; i++)
            examples[i].Dataset.ReadWindow(examples[i].Index, inputs.AsSpan(i * n, n), targets.AsSpan(i * n, n), docs.AsSpan(i * n, n));
        long[] shape = [b, n];
        return new CausalLmBatch(tensor(inputs, shape), targets: tensor(targets, shape),
            documentIds: CrossDocumentAttention ? null : tensor(docs, shape), exampleIds: exampleIds);
    }
}
