namespace Prem.Llm.Data;

/// <summary>Settings of a <see cref="PackedBatchLoader"/>.</summary>
public sealed record PackedLoaderOptions
{
    /// <summary>Windows per batch on this rank (the micro-batch).</summary>
    public required int BatchSize { get; init; }

    /// <summary>This process's rank in [0, <see cref="WorldSize"/>).</summary>
    public int Rank { get; init; }

    /// <summary>Number of data-parallel ranks; a global batch is BatchSize × WorldSize windows.</summary>
    public int WorldSize { get; init; } = 1;

    /// <summary>Seed of the window shuffle (combined with the epoch).</summary>
    public long Seed { get; init; }

    /// <summary>Shuffle windows each epoch; when false windows come in stream order.</summary>
    public bool Shuffle { get; init; } = true;
}
