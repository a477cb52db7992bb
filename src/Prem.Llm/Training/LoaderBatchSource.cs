using System.Text.Json.Nodes;
using Prem.Llm.Data;
using Prem.Llm.Objectives;

namespace Prem.Llm.Training;

/// <summary>
/// An <see cref="IBatchSource"/> over one of the data loaders (packed pretraining, SFT, preference
/// pairs): each epoch opens the loader at (epoch, step 0) with the trainer's seed, and a saved
/// position is the step within the epoch, which the loaders resume exactly. Under data parallel the
/// loader reads rank <see cref="Rank"/>'s slice of each global batch of <see cref="GlobalBatch"/>
/// examples, and the step counts global batches: every rank saves the same position, and the
/// position records <see cref="GlobalBatch"/> so a resume with another global batch is refused rather
/// than silently reading other examples.
/// </summary>
public abstract class LoaderBatchSource : IShardedBatchSource
{
    long step;

    /// <summary>Creates the source; <paramref name="stepsPerEpoch"/> is the loader's batch count.</summary>
    /// <param name="stepsPerEpoch">The loader's batch count per epoch.</param>
    /// <param name="rank">The loader options' rank.</param>
    /// <param name="worldSize">The loader options' world size.</param>
    /// <param name="globalBatch">Examples per global batch (BatchSize × WorldSize); 0 when unknown.</param>
    protected LoaderBatchSource(long stepsPerEpoch, int rank = 0, int worldSize = 1, long globalBatch = 0)
    {
        Rank = rank;
        WorldSize = worldSize;
        GlobalBatch = globalBatch;
        if (stepsPerEpoch <= 0)
            throw new ArgumentException("The data set is too small for one batch (fewer examples than batch size × world size).", nameof(stepsPerEpoch));
        BatchesPerEpoch = stepsPerEpoch;
    }

    /// <inheritdoc />
    public long? BatchesPerEpoch { get; }

    /// <summary>The data-parallel rank whose slice this source reads.</summary>
    public int Rank { get; }

    /// <summary>The number of data-parallel ranks the global batch is split over.</summary>
    public int WorldSize { get; }

    /// <summary>Examples per global batch (all ranks together); 0 when unknown.</summary>
    public long GlobalBatch { get; }

    /// <summary>Opens the loader at <paramref name="state"/> with <paramref name="seed"/>.</summary>
    protected abstract void Open(long seed, LoaderState state);

    /// <summary>The loader's next batch as a <see cref="TrainingBatch"/>.</summary>
    protected abstract TrainingBatch Read();

    /// <inheritdoc />
    public void StartEpoch(int epoch, long seed) => RestoreAt(epoch, seed, 0);

    /// <inheritdoc />
    public TrainingBatch? Next()
    {
        if (step >= BatchesPerEpoch) return null;
        step++;
        return Read();
    }

    /// <inheritdoc />
    public JsonNode SavePosition() => GlobalBatch > 0
        ? new JsonObject { ["step"] = step, ["global_batch"] = GlobalBatch }
        : new JsonObject { ["step"] = step };

    /// <inheritdoc />
    public void RestorePosition(int epoch, long seed, JsonNode position)
    {
        long at = ReadStep(position);
        if (GlobalBatch > 0 && ReadLong(position, "global_batch") is long before && before != GlobalBatch)
            throw new TrainingException($"the data position counts global batches of {before} examples but this run's global batch " +
                $"(batch size × world size) is {GlobalBatch}: resume with batch size × world size = {before}, e.g. half the batch size on twice the ranks.");
        if (at < 0 || at > BatchesPerEpoch) throw new ArgumentOutOfRangeException(nameof(position), at, $"step must be in [0, {BatchesPerEpoch}].");
        RestoreAt(epoch, seed, at);
    }

    static long ReadStep(JsonNode position) =>
        ReadLong(position, "step") ?? throw new ArgumentException("The position has no integer 'step'.", nameof(position));

    static long? ReadLong(JsonNode position, string name)
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

    void RestoreAt(int epoch, long seed, long at)
    {
        Open(seed, new LoaderState(epoch, at));
        step = at;
    }
}
