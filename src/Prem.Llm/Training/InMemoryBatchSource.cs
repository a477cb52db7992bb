using System.Text.Json.Nodes;
using Prem.Llm.Data;

namespace Prem.Llm.Training;

/// <summary>
/// Typed batches (<see cref="CausalLmBatch"/>, <see cref="PreferenceBatch"/>) built on demand from a list of factories, optionally shuffled per epoch with
/// System.Random(seed + epoch) (deterministic across runs and platforms). For tests, samples and
/// small data sets.
/// </summary>
public sealed class InMemoryBatchSource : IBatchSource
{
    private readonly IReadOnlyList<Func<TrainingBatch>> batches;
    private readonly bool shuffle;
    private int[] order = [];
    private int index;

    /// <summary>Creates a source over <paramref name="batches"/> (each factory returns a fresh batch).</summary>
    public InMemoryBatchSource(IReadOnlyList<Func<TrainingBatch>> batches, bool shuffle = false)
    {
        this.batches = batches ?? throw new ArgumentNullException(nameof(batches));
        if (batches.Count == 0) throw new ArgumentException("A batch source needs at least one batch.", nameof(batches));
        this.shuffle = shuffle;
    }

    /// <inheritdoc />
    public long? BatchesPerEpoch => batches.Count;

    /// <inheritdoc />
    public void StartEpoch(int epoch, long seed)
    {
        order = Enumerable.Range(0, batches.Count).ToArray();
        if (shuffle) new Random(unchecked((int)(seed * 1_000_003 + epoch))).Shuffle(order);
        index = 0;
    }

    /// <inheritdoc />
    public TrainingBatch? Next() => index < order.Length ? batches[order[index++]]() : null;

    /// <inheritdoc />
    public JsonNode SavePosition() => new JsonObject { ["index"] = index };

    /// <inheritdoc />
    public void RestorePosition(int epoch, long seed, JsonNode position)
    {
        StartEpoch(epoch, seed);
        int at = position["index"]?.GetValue<int>() ?? throw new ArgumentException("The position has no 'index'.", nameof(position));
        if (at < 0 || at > order.Length) throw new ArgumentOutOfRangeException(nameof(position), at, $"index must be in [0, {order.Length}].");
        index = at;
    }
}
