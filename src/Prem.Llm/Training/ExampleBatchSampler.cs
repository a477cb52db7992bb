using Prem.Llm.Data;

namespace Prem.Llm.Training;

/// <summary>
/// Which examples make up each batch, deterministic in (seed, epoch, step): each epoch's order is
/// <see cref="SeededPermutation"/> of (seed, epoch) (list order without shuffling), optionally
/// length-grouped; step s takes the global batch <c>order[s·G .. (s+1)·G)</c> with
/// <c>G = BatchSize · WorldSize</c> and rank r its slice <c>[r·BatchSize, (r+1)·BatchSize)</c>. Examples
/// after the last whole global batch are not used in that epoch, so every rank runs the same number of steps.
/// </summary>
internal sealed class ExampleBatchSampler
{
    private readonly BatchLoaderOptions _options;
    private readonly IReadOnlyList<int>? _lengths;
    private readonly int _count;
    private int[]? _order;
    private long _orderSeed;
    private long _orderEpoch = -1;

    /// <summary>Creates a sampler over <paramref name="count"/> examples.</summary>
    /// <param name="count">Number of examples.</param>
    /// <param name="options">Batch size, rank, grouping.</param>
    /// <param name="lengths">Each example's length in tokens; required when grouping by length.</param>
    /// <exception cref="ArgumentException">Bad rank/world size, missing lengths, or fewer examples than one global batch.</exception>
    public ExampleBatchSampler(int count, BatchLoaderOptions options, IReadOnlyList<int>? lengths = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.WorldSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MegaBatchMultiplier);
        if (options.Rank < 0 || options.Rank >= options.WorldSize)
            throw new ArgumentOutOfRangeException(nameof(options), $"Rank {options.Rank} outside [0, {options.WorldSize}).");
        if (options.GroupByLength && (lengths is null || lengths.Count != count))
            throw new ArgumentException("grouping by length needs one length per example.", nameof(lengths));
        _options = options;
        _lengths = lengths;
        _count = count;
        long global = (long)options.BatchSize * options.WorldSize;
        StepsPerEpoch = count / global;
        if (StepsPerEpoch == 0)
            throw new ArgumentException($"{count} examples do not fill one global batch of {global} (batch size × world size).", nameof(count));
    }

    /// <summary>Steps in one epoch.</summary>
    public long StepsPerEpoch { get; }

    /// <summary>The example indices this rank reads at step <paramref name="step"/> of <paramref name="epoch"/>.</summary>
    public int[] IndicesAt(long seed, long epoch, long step)
    {
        if (step < 0 || step >= StepsPerEpoch) throw new ArgumentOutOfRangeException(nameof(step), $"step {step} outside [0, {StepsPerEpoch}).");
        var order = Order(seed, epoch);
        long first = step * _options.BatchSize * _options.WorldSize + (long)_options.Rank * _options.BatchSize;
        return order.AsSpan((int)first, _options.BatchSize).ToArray();
    }

    /// <summary>The whole order of <paramref name="epoch"/>, all ranks, before slicing into batches.</summary>
    public int[] Order(long seed, long epoch)
    {
        if (_orderEpoch == epoch && _orderSeed == seed) return _order!;
        var order = _options.Shuffle ? SeededPermutation.Create(_count, seed, epoch) : Enumerable.Range(0, _count).ToArray();
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
        _orderSeed = seed;
        _orderEpoch = epoch;
        return order;
    }
}
