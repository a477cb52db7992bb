using System.Text.Json.Nodes;
using Prem.Llm.Data;

namespace Prem.Llm.Training;

/// <summary>
/// The trainer's seam to data: hands out micro-batches epoch by epoch and can save and restore its
/// exact position so a resumed run sees the same batches in the same order.
/// </summary>
public interface IBatchSource
{
    /// <summary>Micro-batches in one epoch, or null when unknown (then the run needs a step limit).</summary>
    long? BatchesPerEpoch { get; }

    /// <summary>
    /// The type of the batches <see cref="Next"/> returns (<see cref="CausalLmBatch"/>, <see cref="PreferenceBatch"/>…);
    /// the trainer refuses an objective that needs another type. <see cref="TrainingBatch"/> when it is not known.
    /// </summary>
    Type BatchType => typeof(TrainingBatch);

    /// <summary>Starts epoch <paramref name="epoch"/> (0-based) from its first batch; the order may depend on <paramref name="seed"/> and the epoch.</summary>
    void StartEpoch(int epoch, long seed);

    /// <summary>The next micro-batch of the current epoch (owned by the caller), or null when the epoch is over.</summary>
    TrainingBatch? Next();

    /// <summary>The position inside the current epoch, as JSON.</summary>
    JsonNode SavePosition();

    /// <summary>Continues epoch <paramref name="epoch"/> from a position returned by <see cref="SavePosition"/>.</summary>
    void RestorePosition(int epoch, long seed, JsonNode position);
}
