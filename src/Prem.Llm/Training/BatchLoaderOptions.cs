namespace Prem.Llm.Training;

/// <summary>
/// Settings of a <see cref="BatchLoader{TExample, TBatch}"/>: the micro-batch, the data-parallel slice, and the
/// order. The shuffle's seed is the trainer's (<see cref="IBatchSource.StartEpoch"/>); padding belongs to the collators.
/// </summary>
public sealed record BatchLoaderOptions
{
    /// <summary>Examples per batch on this rank (the micro-batch; a preference batch holds this many pairs).</summary>
    public required int BatchSize { get; init; }

    /// <summary>This process's rank in [0, <see cref="WorldSize"/>).</summary>
    public int Rank { get; init; }

    /// <summary>Number of data-parallel ranks; a global batch is BatchSize × WorldSize examples.</summary>
    public int WorldSize { get; init; } = 1;

    /// <summary>Shuffle examples each epoch; when false they come in list order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>
    /// Length-grouped batching: the epoch's order is cut into mega-batches of
    /// <see cref="MegaBatchMultiplier"/> global batches and each is sorted by length, longest first, so a
    /// batch holds examples of similar length and pads less (HF's <c>group_by_length</c>).
    /// </summary>
    public bool GroupByLength { get; init; }

    /// <summary>Global batches per mega-batch when grouping by length (HF uses 50).</summary>
    public int MegaBatchMultiplier { get; init; } = 50;
}
