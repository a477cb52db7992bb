using Prem.Llm.Data;

namespace Prem.Llm.Objectives;

/// <summary>The objectives' check that a batch is of the type they read.</summary>
internal static class ObjectiveBatches
{
    /// <summary><paramref name="batch"/> as <typeparamref name="TBatch"/>; throws naming the expected and the actual type otherwise.</summary>
    public static TBatch Expect<TBatch>(TrainingBatch batch, string reader) where TBatch : TrainingBatch
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch as TBatch ?? throw new ArgumentException(
            $"{reader} needs a {typeof(TBatch).Name}; got a {batch.GetType().Name}.", nameof(batch));
    }
}
