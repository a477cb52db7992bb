namespace Prem.Llm.Data;

/// <summary>
/// Turns a task's examples into the trainer's batch type: one collator per task
/// (<see cref="PackedWindowCollator"/>, <see cref="SftCollator"/>, <see cref="PreferenceCollator"/>), used by
/// the batch loader.
/// </summary>
/// <typeparam name="TExample">The example type.</typeparam>
/// <typeparam name="TBatch">The batch type it yields.</typeparam>
public interface ICollator<in TExample, out TBatch> where TBatch : TrainingBatch
{
    /// <summary>The example's length in tokens, for length-grouped batching.</summary>
    int LengthOf(TExample example);

    /// <summary>Stacks <paramref name="examples"/> into one batch (owned by the caller).</summary>
    /// <param name="examples">The batch's examples, at least one.</param>
    /// <param name="exampleIds">Their stable ids, one per example, or null.</param>
    TBatch Collate(IReadOnlyList<TExample> examples, IReadOnlyList<long>? exampleIds);
}
