namespace Prem.Llm.Data;

/// <summary>
/// Which examples make up each batch, deterministic in (seed, epoch, step) like <see cref="PackedBatchLoader"/>:
/// each epoch's order is <see cref="SeededPermutation"/> of (seed, epoch) (file order without shuffling),
/// optionally length-grouped; step s takes the global batch <c>order[s·G .. (s+1)·G)</c> with
/// <c>G = BatchSize · WorldSize</c> and rank r its slice <c>[r·BatchSize, (r+1)·BatchSize)</c>. Examples
/// after the last whole global batch are not used in that epoch, so every rank runs the same number of steps.
/// </summary>
public sealed class ExampleBatchSampler
{
    private readonly ChatLoaderOptions _options;
    private readonly IReadOnlyList<int>? _lengths;
    private readonly int _count;
    private int[]? _order;
    private long _orderEpoch = -1;

    /// <summary>Creates a sampler over <paramref name="count"/> examples, positioned at <paramref name="state"/>.</summary>
    /// <param name="count">Number of examples.</param>
    /// <param name="options">Batch size, rank, seed, grouping.</param>
    /// <param name="lengths">Each example's length in tokens; required when grouping by length.</param>
    /// <param name="state">Where to start; null for the beginning.</param>
    /// <exception cref="ArgumentException">Bad rank/world size, missing lengths, or fewer examples than one global batch.</exception>
    public ExampleBatchSampler(int count, ChatLoaderOptions options, IReadOnlyList<int>? lengths = null, LoaderState? state = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.WorldSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MegaBatchMultiplier);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.PadToMultipleOf);
        if (options.Rank < 0 || options.Rank >= options.WorldSize)
            throw new ArgumentOutOfRangeException(nameof(options), $"Rank {options.Rank} outside [0, {options.WorldSize}).");
        if (options.GroupByLength && (lengths is null || lengths.Count != count))
            throw new ArgumentException("grouping by length needs one length per example.", nameof(lengths));
        _options = options;
        _lengths = lengths;
        _count = count;
        long global = (long)options.BatchSize * options.WorldSize;
        StepsPerEpoch = count / global;
        if (StepsPerEpoch == 0) throw new ArgumentException($"{count} examples do not fill one global batch of {global}.", nameof(count));
        State = state ?? new LoaderState(0, 0);
        if (State.Epoch < 0 || State.Step < 0 || State.Step >= StepsPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(state), $"step {State.Step} outside [0, {StepsPerEpoch}).");
    }

    /// <summary>Steps in one epoch.</summary>
    public long StepsPerEpoch { get; }

    /// <summary>Position of the next batch; save it to resume.</summary>
    public LoaderState State { get; private set; }

    /// <summary>The example indices this rank reads at <paramref name="state"/>.</summary>
    public int[] IndicesAt(LoaderState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var order = Order(state.Epoch);
        long first = state.Step * _options.BatchSize * _options.WorldSize + (long)_options.Rank * _options.BatchSize;
        return order.AsSpan((int)first, _options.BatchSize).ToArray();
    }

    /// <summary>Returns the indices at <see cref="State"/> with that state, and advances (to the next epoch after its last step).</summary>
    public (int[] Indices, LoaderState State) Next()
    {
        var state = State;
        var indices = IndicesAt(state);
        State = state.Step + 1 == StepsPerEpoch ? new LoaderState(state.Epoch + 1, 0) : state with { Step = state.Step + 1 };
        return (indices, state);
    }

    /// <summary>The whole order of <paramref name="epoch"/>, all ranks, before slicing into batches.</summary>
    public int[] Order(long epoch)
    {
        if (_orderEpoch == epoch) return _order!;
        var order = _options.Shuffle ? SeededPermutation.Create(_count, _options.Seed, epoch) : Enumerable.Range(0, _count).ToArray();
        if (_options.GroupByLength)
        {
            int mega = (int)Math.Min(_count, (long)_options.BatchSize * _options.WorldSize * _options.MegaBatchMultiplier);
            for (int start = 0; start < order.Length; start += mega)
            {
                int n = Math.Min(mega, order.Length - start);
                // A stable sort keeps the shuffled order among equal lengths, so ties stay seeded, not by index.
                var sorted = order.AsSpan(start, n).ToArray().OrderByDescending(i => _lengths![i]).ToArray();
                sorted.CopyTo(order, start);
            }
        }
        _order = order;
        _orderEpoch = epoch;
        return order;
    }
}
