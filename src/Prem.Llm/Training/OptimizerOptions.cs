namespace Prem.Llm.Training;

/// <summary>
/// AdamW and gradient clipping, with the Prem-1B recipe's values as defaults (lr 4e-4, betas (0.9, 0.95),
/// ε 1e-8, weight decay 0.1 on matrices only, global-norm clip 1.0).
/// </summary>
public sealed record OptimizerOptions
{
    /// <summary>Peak learning rate (optimizer_args.lr).</summary>
    public double LearningRate { get; init; } = 4e-4;
    /// <summary>AdamW β₁ (optimizer_args.betas[0]).</summary>
    public double Beta1 { get; init; } = 0.9;
    /// <summary>AdamW β₂ (optimizer_args.betas[1]).</summary>
    public double Beta2 { get; init; } = 0.95;
    /// <summary>AdamW ε.</summary>
    public double Epsilon { get; init; } = 1e-8;
    /// <summary>Decoupled weight decay of matrices (optimizer_args.weight_decay).</summary>
    public double WeightDecay { get; init; } = 0.1;
    /// <summary>Also decay norm weights and biases (off: they form the no-decay group).</summary>
    public bool DecayNormsAndBiases { get; init; }
    /// <summary>Also decay the token embedding (off: it is in the no-decay group).</summary>
    public bool DecayEmbeddings { get; init; }
    /// <summary>Global gradient-norm limit; 0 or less disables clipping (gradient_clip_val).</summary>
    public double GradientClipNorm { get; init; } = 1.0;
}
