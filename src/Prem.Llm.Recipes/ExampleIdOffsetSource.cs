using System.Text.Json.Nodes;
using Prem.Llm.Data;
using Prem.Llm.Training;

namespace Prem.Llm.Recipes;

/// <summary>
/// Shifts the example ids of another source's batches by a constant, so validation pairs get ids
/// after the training pairs' and one cached reference file can hold both.
/// </summary>
internal sealed class ExampleIdOffsetSource(IBatchSource inner, long offset) : IBatchSource
{
    /// <inheritdoc />
    public long? BatchesPerEpoch => inner.BatchesPerEpoch;

    /// <inheritdoc />
    public Type BatchType => inner.BatchType;

    /// <inheritdoc />
    public void StartEpoch(int epoch, long seed) => inner.StartEpoch(epoch, seed);

    /// <inheritdoc />
    public TrainingBatch? Next()
    {
        var batch = inner.Next();
        if (batch?.ExampleIds is not { } ids) return batch;
        // The new batch takes the tensors over.
        return batch.WithExampleIds(ids.Select(i => i + offset).ToArray());
    }

    /// <inheritdoc />
    public JsonNode SavePosition() => inner.SavePosition();

    /// <inheritdoc />
    public void RestorePosition(int epoch, long seed, JsonNode position) => inner.RestorePosition(epoch, seed, position);
}
