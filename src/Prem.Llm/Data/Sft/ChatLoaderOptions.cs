namespace Prem.Llm.Data;

/// <summary>Settings of the SFT and preference batch loaders (<see cref="SftBatchLoader"/>, <see cref="PreferenceBatchLoader"/>).</summary>
public sealed record ChatLoaderOptions
{
    /// <summary>Examples per batch on this rank (the micro-batch; a preference batch holds 2 × this many rows).</summary>
    public required int BatchSize { get; init; }

    /// <summary>This process's rank in [0, <see cref="WorldSize"/>).</summary>
    public int Rank { get; init; }

    /// <summary>Number of data-parallel ranks; a global batch is BatchSize × WorldSize examples.</summary>
    public int WorldSize { get; init; } = 1;

    /// <summary>Seed of the example shuffle (combined with the epoch).</summary>
    public long Seed { get; init; }

    /// <summary>Shuffle examples each epoch; when false they come in file order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>
    /// Length-grouped batching: the epoch's order is cut into mega-batches of
    /// <see cref="MegaBatchMultiplier"/> global batches and each is sorted by length, longest first, so a
    /// batch holds examples of similar length and pads less (HF's <c>group_by_length</c>).
    /// </summary>
    public bool GroupByLength { get; init; }

    /// <summary>Global batches per mega-batch when grouping by length (HF uses 50).</summary>
    public int MegaBatchMultiplier { get; init; } = 50;

    /// <summary>Batches are padded to a length that is a multiple of this (1: the longest row's length).</summary>
    public int PadToMultipleOf { get; init; } = 1;
}
