using System.Text.Json.Nodes;
using Prem.Llm.Data;
using Prem.Llm.Objectives;

namespace Prem.Llm.Training;

/// <summary>
/// An <see cref="IBatchSource"/> over one of the data loaders (packed pretraining, SFT, preference
/// pairs): each epoch opens the loader at (epoch, step 0) with the trainer's seed, and a saved
/// position is the step within the epoch, which the loaders resume exactly.
/// </summary>
public abstract class LoaderBatchSource : IBatchSource
{
    long step;

    /// <summary>Creates the source; <paramref name="stepsPerEpoch"/> is the loader's batch count.</summary>
    protected LoaderBatchSource(long stepsPerEpoch)
    {
        if (stepsPerEpoch <= 0)
            throw new ArgumentException("The data set is too small for one batch (fewer examples than batch size × world size).", nameof(stepsPerEpoch));
        BatchesPerEpoch = stepsPerEpoch;
    }

    /// <inheritdoc />
    public long? BatchesPerEpoch { get; }

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
    public JsonNode SavePosition() => new JsonObject { ["step"] = step };

    /// <inheritdoc />
    public void RestorePosition(int epoch, long seed, JsonNode position)
    {
        long at = ReadStep(position);
        if (at < 0 || at > BatchesPerEpoch) throw new ArgumentOutOfRangeException(nameof(position), at, $"step must be in [0, {BatchesPerEpoch}].");
        RestoreAt(epoch, seed, at);
    }

    static long ReadStep(JsonNode position)
    {
        // A position fresh from SavePosition holds a long; one parsed from a checkpoint file may hold an int.
        if (position["step"] is JsonValue value)
        {
            if (value.TryGetValue(out long step)) return step;
            if (value.TryGetValue(out int small)) return small;
            if (value.TryGetValue(out System.Text.Json.JsonElement element) && element.TryGetInt64(out step)) return step;
        }
        throw new ArgumentException("The position has no integer 'step'.", nameof(position));
    }

    void RestoreAt(int epoch, long seed, long at)
    {
        Open(seed, new LoaderState(epoch, at));
        step = at;
    }
}
