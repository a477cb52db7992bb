using System.Text.Json.Nodes;
using Prem.Llm.Data;
using Prem.Llm.Training;

namespace Prem.Llm.Recipes;

/// <summary>Ends each epoch of another source after at most <c>limit</c> micro-batches (Lightning's <c>limit_train_batches</c>).</summary>
public sealed class LimitedBatchSource : IBatchSource
{
    private readonly IBatchSource inner;
    private readonly long limit;
    private long taken;

    /// <summary>Wraps <paramref name="inner"/>, taking at most <paramref name="limit"/> (≥ 1) batches per epoch.</summary>
    public LimitedBatchSource(IBatchSource inner, long limit)
    {
        this.inner = inner ?? throw new ArgumentNullException(nameof(inner));
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        this.limit = limit;
    }

    /// <inheritdoc />
    public long? BatchesPerEpoch => inner.BatchesPerEpoch is long n ? Math.Min(n, limit) : limit;

    /// <inheritdoc />
    public Type BatchType => inner.BatchType;

    /// <inheritdoc />
    public void StartEpoch(int epoch, long seed)
    {
        inner.StartEpoch(epoch, seed);
        taken = 0;
    }

    /// <inheritdoc />
    public TrainingBatch? Next()
    {
        if (taken >= limit) return null;
        var batch = inner.Next();
        if (batch is not null) taken++;
        return batch;
    }

    /// <inheritdoc />
    public JsonNode SavePosition() => new JsonObject { ["taken"] = taken, ["inner"] = inner.SavePosition().DeepClone() };

    /// <inheritdoc />
    public void RestorePosition(int epoch, long seed, JsonNode position)
    {
        ArgumentNullException.ThrowIfNull(position);
        var innerPosition = position["inner"] ?? throw new TrainingException("the data position has no \"inner\" entry (not written by LimitedBatchSource)");
        inner.RestorePosition(epoch, seed, innerPosition.DeepClone());
        taken = position["taken"]?.GetValue<long>() ?? 0;
    }
}
