using Prem.Llm.Text;

namespace Prem.Llm.Data;

/// <summary>
/// One micro-batch as the trainer and the objectives see it: a typed set of CPU or device tensors
/// (<see cref="CausalLmBatch"/> for pretraining and SFT, <see cref="PreferenceBatch"/> for DPO), the
/// stable ids of its examples, and its token count. The batch owns its tensors and disposes them.
/// </summary>
public abstract class TrainingBatch : IDisposable
{
    /// <summary>Label (and target) value of positions that do not contribute to the loss.</summary>
    public const long IgnoreIndex = ConversationEncoder.IgnoreIndex;

    /// <summary>Stores the example ids.</summary>
    /// <param name="exampleIds">Stable ids of the batch's examples, one per example; null when unknown.</param>
    protected TrainingBatch(IReadOnlyList<long>? exampleIds) => ExampleIds = exampleIds;

    /// <summary>Stable ids of the batch's examples (the loader's example indices), or null; cached DPO reference log-probs need them.</summary>
    public IReadOnlyList<long>? ExampleIds { get; }

    /// <summary>Number of token positions fed to the model (all input-id elements), for throughput.</summary>
    public abstract long TokenCount { get; }

    /// <summary>
    /// A batch of the same type over the same tensors with other example ids. The tensors move to the
    /// returned batch: disposing this one afterwards no longer frees them.
    /// </summary>
    /// <param name="exampleIds">The new ids, one per example, or null.</param>
    public abstract TrainingBatch WithExampleIds(IReadOnlyList<long>? exampleIds);

    /// <summary>Disposes the tensors the batch still owns.</summary>
    public abstract void Dispose();
}
