namespace Prem.Llm.Training;

/// <summary>
/// Numeric precision of training. <see cref="Bf16Mixed"/> (the Prem-1B recipe's <c>bf16-mixed</c>) keeps float32
/// master weights and optimizer state and runs a bfloat16 copy of the model: GEMMs run at bf16 speed
/// (about 4× float32 on AVX512-BF16 CPUs) while updates are not lost to bf16 rounding; norms' statistics,
/// softmax and the loss are float32. <see cref="Float32"/> is exact and slowest; <see cref="Bf16"/>
/// keeps only bf16 weights and state: least memory, but small updates round away (weight ≫ lr·update),
/// so it suits short fine-tunes, not pretraining.
/// </summary>
public enum TrainingPrecision
{
    /// <summary>Everything in float32.</summary>
    Float32,
    /// <summary>float32 master weights and optimizer state, bfloat16 compute.</summary>
    Bf16Mixed,
    /// <summary>Weights, gradients and optimizer state in bfloat16.</summary>
    Bf16,
}
