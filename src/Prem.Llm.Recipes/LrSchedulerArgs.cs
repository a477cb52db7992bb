using Prem.Llm.Training;

namespace Prem.Llm.Recipes;

/// <summary>The Prem-1B recipe's <c>model.lr_scheduler_args</c>: linear warmup over a share of the steps, then decay.</summary>
internal sealed record LrSchedulerArgs
{
    /// <summary>Share of all optimizer steps spent in warmup (num_warmup_percentage; the Prem-1B recipe's 0.1).</summary>
    public double NumWarmupPercentage { get; init; } = 0.1;
    /// <summary>Decay after warmup (decay: cosine | linear | constant).</summary>
    public LearningRateDecay Decay { get; init; } = LearningRateDecay.Cosine;
    /// <summary>Learning rate at the last step (min_lr).</summary>
    public double MinLr { get; init; }
}
