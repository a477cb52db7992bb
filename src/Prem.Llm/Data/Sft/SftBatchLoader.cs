namespace Prem.Llm.Data;

/// <summary>
/// SFT batches in a deterministic order (<see cref="ExampleBatchSampler"/>: seeded per-epoch shuffle,
/// optional length grouping, rank/world-size slices) with an exact resume position: a loader created
/// with a saved <see cref="State"/> yields the batches an uninterrupted run would have.
/// </summary>
public sealed class SftBatchLoader
{
    private readonly SftDataset _dataset;
    private readonly ChatLoaderOptions _options;
    private readonly ExampleBatchSampler _sampler;

    /// <summary>Creates a loader over <paramref name="dataset"/>'s <see cref="SftDataset.Rows"/>, positioned at <paramref name="state"/>.</summary>
    public SftBatchLoader(SftDataset dataset, ChatLoaderOptions options, LoaderState? state = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        _dataset = dataset;
        _options = options;
        _sampler = new ExampleBatchSampler(dataset.Rows.Count, options, dataset.Rows.Select(r => r.Length).ToArray(), state);
    }

    /// <summary>Steps in one epoch.</summary>
    public long StepsPerEpoch => _sampler.StepsPerEpoch;

    /// <summary>Position of the next batch; save it to resume.</summary>
    public LoaderState State => _sampler.State;

    /// <summary>The row indices this rank reads at <paramref name="state"/>.</summary>
    public int[] RowsAt(LoaderState state) => _sampler.IndicesAt(state);

    /// <summary>Collates the batch at <see cref="State"/> and advances.</summary>
    public SftBatch Next()
    {
        var (indices, state) = _sampler.Next();
        return SftCollator.Collate(indices.Select(i => _dataset.Rows[i]).ToList(), _dataset.PadId, _options.PadToMultipleOf, state);
    }
}
