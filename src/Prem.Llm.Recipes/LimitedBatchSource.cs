using System.Text.Json.Nodes;
using Prem.Llm.Data;
using Prem.Llm.Training;

namespace Prem.Llm.Recipes;

/// <summary>Ends each epoch of another source after at most <c>limit</c> micro-batches (Lightning's <c>limit_train_batches</c>).</summary>
internal sealed class LimitedBatchSource : IBatchSource
{
    private readonly IBatchSource _inner;
    private readonly long _limit;
    private long _taken;

    /// <summary>Wraps <paramref name="inner"/>, taking at most <paramref name="limit"/> (≥ 1) batches per epoch.</summary>
    public LimitedBatchSource(IBatchSource inner, long limit)
    {
        this._inner = inner ?? throw new ArgumentNullException(nameof(inner));
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        this._limit = limit;
    }

    /// <inheritdoc />
    public long? BatchesPerEpoch => _inner.BatchesPerEpoch is long n ? Math.Min(n, _limit) : _limit;

    /// <inheritdoc />
    public Type BatchType => _inner.BatchType;

    /// <inheritdoc />
    public void StartEpoch(int epoch, long seed)
    {
        _inner.StartEpoch(epoch, seed);
        _taken = 0;
    }

    /// <inheritdoc />
    public TrainingBatch? Next()
    {
        if (_taken >= _limit) return null;
        var batch = _inner.Next();
        if (batch is not null) _taken++;
        return batch;
    }

    /// <inheritdoc />
    public JsonNode SavePosition() => new JsonObject { ["taken"] = _taken, ["inner"] = _inner.SavePosition().DeepClone() };

    /// <inheritdoc />
    public void RestorePosition(int epoch, long seed, JsonNode position)
    {
        ArgumentNullException.ThrowIfNull(position);
        var innerPosition = position["inner"] ?? throw new TrainingException("the data position has no \"inner\" entry (not written by LimitedBatchSource)");
        _inner.RestorePosition(epoch, seed, innerPosition.DeepClone());
        _taken = position["taken"]?.GetValue<long>() ?? 0;
    }
}
