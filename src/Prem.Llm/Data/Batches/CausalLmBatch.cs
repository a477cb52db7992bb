using static TorchSharp.torch;

namespace Prem.Llm.Data;

/// <summary>
/// A next-token batch for pretraining and SFT: <see cref="InputIds"/> [batch, seq] int64 and exactly one of
/// <see cref="Labels"/> (HF style: aligned with the inputs, shifted by the objective) or <see cref="Targets"/>
/// (already shifted: target t is the token after input t); <see cref="TrainingBatch.IgnoreIndex"/> marks
/// positions that are not trained. Shapes and dtypes are checked at construction; when a check fails the
/// caller keeps the tensors. Afterwards the batch owns them.
/// </summary>
public sealed class CausalLmBatch : TrainingBatch
{
    private bool _released;

    /// <summary>Creates a batch that takes ownership of the tensors.</summary>
    /// <param name="inputIds">Token ids, [batch, seq] int64.</param>
    /// <param name="labels">HF-style labels, [batch, seq] int64; null when <paramref name="targets"/> is given.</param>
    /// <param name="targets">Already shifted targets, [batch, seq] int64; null when <paramref name="labels"/> is given.</param>
    /// <param name="attentionMask">Padding mask, [batch, seq], nonzero on real tokens; or null.</param>
    /// <param name="documentIds">Document id of each token of a packed row, [batch, seq] int64; or null.</param>
    /// <param name="exampleIds">Stable ids of the rows, one per row; or null.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong shape or dtype, or neither or both of labels and targets are given.</exception>
    public CausalLmBatch(Tensor inputIds, Tensor? labels = null, Tensor? targets = null, Tensor? attentionMask = null,
        Tensor? documentIds = null, IReadOnlyList<long>? exampleIds = null)
        : base(exampleIds)
    {
        BatchShapes.RequireTokens(inputIds, nameof(inputIds));
        if ((labels is null) == (targets is null))
            throw new ArgumentException("A causal-LM batch needs exactly one of labels (unshifted) and targets (shifted).", labels is null ? nameof(labels) : nameof(targets));
        if (labels is not null) BatchShapes.RequireLike(labels, inputIds, nameof(labels));
        if (targets is not null) BatchShapes.RequireLike(targets, inputIds, nameof(targets));
        if (attentionMask is not null) BatchShapes.RequireShape(attentionMask, inputIds, nameof(attentionMask));
        if (documentIds is not null) BatchShapes.RequireLike(documentIds, inputIds, nameof(documentIds));
        BatchShapes.RequireIds(exampleIds, inputIds.shape[0], nameof(exampleIds));
        InputIds = inputIds;
        Labels = labels;
        Targets = targets;
        AttentionMask = attentionMask;
        DocumentIds = documentIds;
    }

    /// <summary>Token ids, [batch, seq] int64.</summary>
    public Tensor InputIds { get; }

    /// <summary>Labels aligned with <see cref="InputIds"/> (not shifted), −100 where untrained; null when the batch has <see cref="Targets"/>.</summary>
    public Tensor? Labels { get; }

    /// <summary>Next-token targets (already shifted), −100 where untrained; null when the batch has <see cref="Labels"/>.</summary>
    public Tensor? Targets { get; }

    /// <summary>Padding mask, nonzero on real tokens, or null (no padding).</summary>
    public Tensor? AttentionMask { get; }

    /// <summary>
    /// Document id of each token of a packed row (attention stays within a document), or null. Packed
    /// padding at a row's end gets an id of its own.
    /// </summary>
    public Tensor? DocumentIds { get; }

    /// <summary>Number of rows.</summary>
    public long RowCount => InputIds.shape[0];

    /// <inheritdoc />
    public override long TokenCount => InputIds.numel();

    /// <inheritdoc />
    public override CausalLmBatch WithExampleIds(IReadOnlyList<long>? exampleIds)
    {
        var moved = new CausalLmBatch(InputIds, Labels, Targets, AttentionMask, DocumentIds, exampleIds);
        _released = true;
        return moved;
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        if (_released) return;
        _released = true;
        InputIds.Dispose();
        Labels?.Dispose();
        Targets?.Dispose();
        AttentionMask?.Dispose();
        DocumentIds?.Dispose();
    }
}
