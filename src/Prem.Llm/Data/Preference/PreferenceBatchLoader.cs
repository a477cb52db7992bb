namespace Prem.Llm.Data;

/// <summary>
/// DPO batches in a deterministic order (<see cref="ExampleBatchSampler"/>: seeded per-epoch shuffle,
/// optional length grouping by the longer side of each pair, rank/world-size slices) with an exact resume
/// position.
/// </summary>
public sealed class PreferenceBatchLoader
{
    private readonly PreferenceDataset _dataset;
    private readonly ChatLoaderOptions _options;
    private readonly ExampleBatchSampler _sampler;

    /// <summary>Creates a loader over <paramref name="dataset"/>, positioned at <paramref name="state"/>.</summary>
    public PreferenceBatchLoader(PreferenceDataset dataset, ChatLoaderOptions options, LoaderState? state = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        _dataset = dataset;
        _options = options;
        _sampler = new ExampleBatchSampler(dataset.Examples.Count, options, dataset.Examples.Select(e => e.Length).ToArray(), state);
    }

    /// <summary>Steps in one epoch.</summary>
    public long StepsPerEpoch => _sampler.StepsPerEpoch;

    /// <summary>Position of the next batch; save it to resume.</summary>
    public LoaderState State => _sampler.State;

    /// <summary>The pair indices this rank reads at <paramref name="state"/>.</summary>
    public int[] PairsAt(LoaderState state) => _sampler.IndicesAt(state);

    /// <summary>Collates the batch at <see cref="State"/> and advances.</summary>
    public PreferenceBatch Next()
    {
        var (indices, state) = _sampler.Next();
        return PreferenceCollator.Collate(indices.Select(i => _dataset.Examples[i]).ToList(), _dataset.PadId, _options.PadToMultipleOf, state);
    }
}
