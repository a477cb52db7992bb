namespace Prem.Llm.Training;

/// <summary>Numeric precision and activation memory, with the Prem-1B recipe's bf16-mixed as default.</summary>
public sealed record PrecisionOptions
{
    /// <summary>Numeric precision (precision: bf16-mixed).</summary>
    public TrainingPrecision Mode { get; init; } = TrainingPrecision.Bf16Mixed;
    /// <summary>Recompute decoder layers in the backward instead of keeping their activations.</summary>
    public bool ActivationCheckpointing { get; init; }
}
