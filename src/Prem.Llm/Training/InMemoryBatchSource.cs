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
    private readonly IReadOnlyList<Func<TrainingBatch>> _batches;
    private readonly bool _shuffle;
    private int[] _order = [];
    private int _index;

    /// <summary>Creates a source over <paramref name="batches"/> (each factory returns a fresh batch).</summary>
    public InMemoryBatchSource(IReadOnlyList<Func<TrainingBatch>> batches, bool shuffle = false)
    {
        this._batches = batches ?? throw new ArgumentNullException(nameof(batches));
        if (batches.Count == 0) throw new ArgumentException("A batch source needs at least one batch.", nameof(batches));
        this._shuffle = shuffle;
    }

    /// <inheritdoc />
    public long? BatchesPerEpoch => _batches.Count;

    /// <inheritdoc />
    public void StartEpoch(int epoch, long seed)
    {
        _order = Enumerable.Range(0, _batches.Count).ToArray();
        if (_shuffle) new Random(unchecked((int)(seed * 1_000_003 + epoch))).Shuffle(_order);
        _index = 0;
    }

    /// <inheritdoc />
    public TrainingBatch? Next() => _index < _order.Length ? _batches[_order[_index++]]() : null;

    /// <inheritdoc />
    public JsonNode SavePosition() => new JsonObject { ["index"] = _index };

    /// <inheritdoc />
    public void RestorePosition(int epoch, long seed, JsonNode position)
    {
        StartEpoch(epoch, seed);
        int at = position["index"]?.GetValue<int>() ?? throw new ArgumentException("The position has no 'index'.", nameof(position));
        if (at < 0 || at > _order.Length) throw new ArgumentOutOfRangeException(nameof(position), at, $"index must be in [0, {_order.Length}].");
        _index = at;
    }
}
