using System.Text.Json.Nodes;
using Prem.Llm.Data;

namespace Prem.Llm.Training;

/// <summary>
/// The trainer's batch source over a list of examples: a collator per task turns each batch of examples into
/// the trainer's batch type (<see cref="PackedWindowCollator"/> over <see cref="PackedWindows"/> for
/// pretraining, <see cref="SftCollator"/> over <see cref="SftDataset.Rows"/>, <see cref="PreferenceCollator"/>
/// over <see cref="PreferenceDataset.Examples"/>).
/// <para>
/// The order is deterministic in (seed, epoch, step): each epoch permutes the example indices with
/// <see cref="SeededPermutation"/> of (the trainer's seed, epoch) (list order without shuffling), optionally
/// length-grouped; step s takes the global batch <c>order[s·G .. (s+1)·G)</c> with
/// <c>G = BatchSize · WorldSize</c>, and rank r its slice <c>[r·BatchSize, (r+1)·BatchSize)</c>: the ranks see
/// disjoint examples and together the whole global batch. Examples left over after the last whole global
/// batch are not used in that epoch (every rank runs the same number of steps). A batch's example ids are
/// its examples' indices in the list.
/// </para>
/// <para>
/// A saved position is the step within the epoch, in global batches, so every rank saves the same position;
/// it records the global batch, and a resume with another global batch is refused rather than silently
/// reading other examples.
/// </para>
/// </summary>
/// <typeparam name="TExample">The example type.</typeparam>
/// <typeparam name="TBatch">The batch type the collator yields.</typeparam>
public sealed class BatchLoader<TExample, TBatch> : IShardedBatchSource where TBatch : TrainingBatch
{
    private readonly IReadOnlyList<TExample> _examples;
    private readonly ICollator<TExample, TBatch> _collator;
    private readonly ExampleBatchSampler _sampler;
    private long _seed;
    private long _epoch;
    private long _step;

    /// <summary>Creates a loader over <paramref name="examples"/>, positioned at the start of epoch 0 with seed 0.</summary>
    /// <param name="examples">The examples (read through the indexer; a lazy list such as <see cref="PackedWindows"/> is not loaded).</param>
    /// <param name="collator">Stacks a batch of examples into <typeparamref name="TBatch"/>.</param>
    /// <param name="options">Batch size, rank, world size, order.</param>
    /// <exception cref="ArgumentException">Bad rank/world size, or fewer examples than one global batch.</exception>
    public BatchLoader(IReadOnlyList<TExample> examples, ICollator<TExample, TBatch> collator, BatchLoaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(collator);
        ArgumentNullException.ThrowIfNull(options);
        _examples = examples;
        _collator = collator;
        Options = options;
        // Lengths are only needed (and only read) when grouping by length.
        int[]? lengths = options.GroupByLength ? [.. examples.Select(collator.LengthOf)] : null;
        _sampler = new ExampleBatchSampler(examples.Count, options, lengths);
    }

    /// <summary>The loader's options.</summary>
    public BatchLoaderOptions Options { get; }

    /// <summary>Steps (micro-batches on this rank) in one epoch.</summary>
    public long StepsPerEpoch => _sampler.StepsPerEpoch;

    /// <inheritdoc />
    public long? BatchesPerEpoch => StepsPerEpoch;

    /// <inheritdoc />
    public Type BatchType => typeof(TBatch);

    /// <inheritdoc />
    public int Rank => Options.Rank;

    /// <inheritdoc />
    public int WorldSize => Options.WorldSize;

    /// <summary>Examples per global batch (all ranks together): BatchSize × WorldSize.</summary>
    public long GlobalBatch => (long)Options.BatchSize * Options.WorldSize;

    /// <summary>Position of the next batch (epoch and step; the step equals <see cref="StepsPerEpoch"/> when the epoch is over).</summary>
    public LoaderState Position => new(_epoch, _step);

    /// <summary>The example indices this rank reads at <paramref name="position"/> with the current seed.</summary>
    public int[] IndicesAt(LoaderState position)
    {
        ArgumentNullException.ThrowIfNull(position);
        return _sampler.IndicesAt(_seed, position.Epoch, position.Step);
    }

    /// <summary>The whole order of <paramref name="epoch"/> with the current seed, all ranks, before slicing into batches.</summary>
    public int[] Order(long epoch) => _sampler.Order(_seed, epoch);

    /// <inheritdoc />
    public void StartEpoch(int epoch, long seed) => RestoreAt(epoch, seed, 0);

    /// <summary>Collates the batch at <see cref="Position"/> and advances; null when the epoch is over.</summary>
    public TBatch? Next()
    {
        if (_step >= StepsPerEpoch) return null;
        var indices = _sampler.IndicesAt(_seed, _epoch, _step);
        _step++;
        var examples = new TExample[indices.Length];
        var ids = new long[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            examples[i] = _examples[indices[i]];
            ids[i] = indices[i];
        }
        return _collator.Collate(examples, ids);
    }

    TrainingBatch? IBatchSource.Next() => Next();

    /// <inheritdoc />
    public JsonNode SavePosition() => new JsonObject { ["step"] = _step, ["global_batch"] = GlobalBatch };

    /// <inheritdoc />
    /// <exception cref="TrainingException">The position was saved with another global batch.</exception>
    public void RestorePosition(int epoch, long seed, JsonNode position)
    {
        ArgumentNullException.ThrowIfNull(position);
        long at = ReadLong(position, "step") ?? throw new ArgumentException("The position has no integer 'step'.", nameof(position));
        if (ReadLong(position, "global_batch") is long before && before != GlobalBatch)
            throw new TrainingException($"the data position counts global batches of {before} examples but this run's global batch " +
                $"(batch size × world size) is {GlobalBatch}: resume with batch size × world size = {before}, e.g. half the batch size on twice the ranks.");
        if (at < 0 || at > StepsPerEpoch) throw new ArgumentOutOfRangeException(nameof(position), at, $"step must be in [0, {StepsPerEpoch}].");
        RestoreAt(epoch, seed, at);
    }

    private static long? ReadLong(JsonNode position, string name)
    {
        // A position fresh from SavePosition holds a long; one parsed from a checkpoint file may hold an int.
        if (position[name] is JsonValue value)
        {
            if (value.TryGetValue(out long step)) return step;
            if (value.TryGetValue(out int small)) return small;
            if (value.TryGetValue(out System.Text.Json.JsonElement element) && element.TryGetInt64(out step)) return step;
        }
        return null;
    }

    private void RestoreAt(int epoch, long seed, long at)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        _seed = seed;
        _epoch = epoch;
        _step = at;
    }
}
