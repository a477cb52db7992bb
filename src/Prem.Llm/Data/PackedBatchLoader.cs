using static TorchSharp.torch;

namespace Prem.Llm.Data;

/// <summary>
/// Batches of packed windows for training, deterministic in (seed, epoch, step).
/// <para>
/// Each epoch permutes the window indices with <see cref="SeededPermutation"/> (a Fisher–Yates shuffle driven by
/// <see cref="StableHash"/> of (seed, epoch)), so the order is the same on every machine. Step s of an
/// epoch takes the global batch <c>perm[s·G .. (s+1)·G)</c> with <c>G = BatchSize · WorldSize</c>, and
/// rank r takes its slice <c>[r·BatchSize, (r+1)·BatchSize)</c> of it: the ranks see disjoint windows
/// and together the whole global batch. Windows left over after the last whole global batch are not
/// used in that epoch (every rank runs the same number of steps); the next epoch's shuffle differs.
/// </para>
/// </summary>
public sealed class PackedBatchLoader
{
    private readonly PackedTokenDataset _dataset;
    private readonly PackedLoaderOptions _options;
    private int[]? _permutation;
    private long _permutationEpoch = -1;

    /// <summary>Creates a loader positioned at <paramref name="state"/> (the start when null).</summary>
    /// <exception cref="ArgumentException">Bad rank/world size, or fewer windows than one global batch.</exception>
    public PackedBatchLoader(PackedTokenDataset dataset, PackedLoaderOptions options, LoaderState? state = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.WorldSize);
        if (options.Rank < 0 || options.Rank >= options.WorldSize)
            throw new ArgumentOutOfRangeException(nameof(options), $"Rank {options.Rank} outside [0, {options.WorldSize}).");
        if (dataset.Count > int.MaxValue) throw new ArgumentException($"{dataset.Count} windows exceed the loader's limit of {int.MaxValue}.", nameof(dataset));
        _dataset = dataset;
        _options = options;
        long global = (long)options.BatchSize * options.WorldSize;
        StepsPerEpoch = dataset.Count / global;
        if (StepsPerEpoch == 0)
            throw new ArgumentException($"{dataset.Count} windows do not fill one global batch of {global}.", nameof(dataset));
        State = state ?? new LoaderState(0, 0);
        if (State.Epoch < 0 || State.Step < 0 || State.Step >= StepsPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(state), $"step {State.Step} outside [0, {StepsPerEpoch}).");
    }

    /// <summary>Steps in one epoch.</summary>
    public long StepsPerEpoch { get; }

    /// <summary>Position of the next batch; save it to resume.</summary>
    public LoaderState State { get; private set; }

    /// <summary>The window indices this rank reads at <paramref name="state"/>.</summary>
    public long[] WindowsAt(LoaderState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var windows = new long[_options.BatchSize];
        long first = state.Step * _options.BatchSize * _options.WorldSize + (long)_options.Rank * _options.BatchSize;
        var perm = _options.Shuffle ? Permutation(state.Epoch) : null;
        for (int i = 0; i < windows.Length; i++) windows[i] = perm is null ? first + i : perm[first + i];
        return windows;
    }

    /// <summary>Reads the batch at <see cref="State"/> and advances (to the next epoch after its last step).</summary>
    public PackedBatch Next()
    {
        var state = State;
        var windows = WindowsAt(state);
        int b = windows.Length, n = _dataset.SeqLen;
        var inputs = new long[b * n];
        var targets = new long[b * n];
        var docs = new long[b * n];
        for (int i = 0; i < b; i++)
            _dataset.ReadWindow(windows[i], inputs.AsSpan(i * n, n), targets.AsSpan(i * n, n), docs.AsSpan(i * n, n));
        State = state.Step + 1 == StepsPerEpoch ? new LoaderState(state.Epoch + 1, 0) : state with { Step = state.Step + 1 };
        long[] shape = [b, n];
        return new PackedBatch(tensor(inputs, shape), tensor(targets, shape), tensor(docs, shape), state);
    }

    private int[] Permutation(long epoch)
    {
        if (_permutationEpoch == epoch) return _permutation!;
        _permutation = SeededPermutation.Create((int)_dataset.Count, _options.Seed, epoch);
        _permutationEpoch = epoch;
        return _permutation;
    }
}
