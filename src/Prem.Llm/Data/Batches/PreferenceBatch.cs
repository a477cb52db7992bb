namespace Prem.Llm.Data;

/// <summary>
/// A DPO batch of <see cref="PairCount"/> preference pairs: row i of <see cref="Chosen"/> is prompt + chosen
/// response of pair i and row i of <see cref="Rejected"/> prompt + rejected response, both with HF-style
/// labels (−100 on the prompt and padding). <see cref="TrainingBatch.ExampleIds"/> are the pairs' ids. Owns
/// both row sets.
/// </summary>
public sealed class PreferenceBatch : TrainingBatch
{
    private bool _released;

    /// <summary>Creates a batch that takes ownership of <paramref name="chosen"/> and <paramref name="rejected"/>.</summary>
    /// <param name="chosen">The chosen rows, with labels.</param>
    /// <param name="rejected">The rejected rows, with labels, as many as <paramref name="chosen"/>.</param>
    /// <param name="exampleIds">Stable ids of the pairs, one per pair; or null.</param>
    /// <exception cref="ArgumentException">A row set has targets instead of labels, or the row counts differ.</exception>
    public PreferenceBatch(CausalLmBatch chosen, CausalLmBatch rejected, IReadOnlyList<long>? exampleIds = null)
        : base(exampleIds)
    {
        ArgumentNullException.ThrowIfNull(chosen);
        ArgumentNullException.ThrowIfNull(rejected);
        if (chosen.Labels is null) throw new ArgumentException("chosen must carry labels [pairs, seq] (not shifted targets).", nameof(chosen));
        if (rejected.Labels is null) throw new ArgumentException("rejected must carry labels [pairs, seq] (not shifted targets).", nameof(rejected));
        if (rejected.RowCount != chosen.RowCount)
            throw new ArgumentException($"rejected must have one row per pair like chosen ({chosen.RowCount}); got {rejected.RowCount}.", nameof(rejected));
        BatchShapes.RequireIds(exampleIds, chosen.RowCount, nameof(exampleIds));
        Chosen = chosen;
        Rejected = rejected;
    }

    /// <summary>Prompt + chosen response per pair: ids, labels, attention mask.</summary>
    public CausalLmBatch Chosen { get; }

    /// <summary>Prompt + rejected response per pair: ids, labels, attention mask.</summary>
    public CausalLmBatch Rejected { get; }

    /// <summary>Number of pairs.</summary>
    public long PairCount => Chosen.RowCount;

    /// <inheritdoc />
    public override long TokenCount => Chosen.TokenCount + Rejected.TokenCount;

    /// <inheritdoc />
    public override PreferenceBatch WithExampleIds(IReadOnlyList<long>? exampleIds)
    {
        var moved = new PreferenceBatch(Chosen, Rejected, exampleIds);
        _released = true;
        return moved;
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        if (_released) return;
        _released = true;
        Chosen.Dispose();
        Rejected.Dispose();
    }
}
