namespace Prem.Llm.Recipes;

/// <summary>The Prem-1B recipe's <c>model.optimizer_args</c> (AdamW); defaults are the Prem-1B recipe's pretraining values.</summary>
internal sealed record OptimizerArgs
{
    /// <summary>Peak learning rate (lr).</summary>
    public double Lr { get; init; } = 4e-4;
    /// <summary>AdamW β₁ (betas[0]).</summary>
    public double Beta1 { get; init; } = 0.9;
    /// <summary>AdamW β₂ (betas[1]).</summary>
    public double Beta2 { get; init; } = 0.95;
    /// <summary>Decoupled weight decay of matrices (weight_decay).</summary>
    public double WeightDecay { get; init; } = 0.1;
    /// <summary>AdamW ε (eps).</summary>
    public double Eps { get; init; } = 1e-8;
}
