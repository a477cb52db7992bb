namespace Prem.Llm.Training;

/// <summary>A validation pass: the per-unit mean loss over the validation batches and its exponential.</summary>
/// <param name="Loss">Mean loss per unit (per trained token for causal LM).</param>
/// <param name="Units">Units scored.</param>
public sealed record ValidationResult(double Loss, long Units)
{
    /// <summary>exp(<see cref="Loss"/>).</summary>
    public double Perplexity => Math.Exp(Loss);
}
