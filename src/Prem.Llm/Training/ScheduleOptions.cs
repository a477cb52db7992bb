namespace Prem.Llm.Training;

/// <summary>
/// The run length and the learning-rate schedule over it, with the Prem-1B recipe's values as defaults
/// (2 epochs, 10% linear warmup, then cosine decay to 0).
/// </summary>
public sealed record ScheduleOptions
{
    /// <summary>Share of all optimizer steps spent in linear warmup (num_warmup_percentage / warmup_ratio).</summary>
    public double WarmupFraction { get; init; } = 0.1;
    /// <summary>Decay after warmup.</summary>
    public LearningRateDecay Decay { get; init; } = LearningRateDecay.Cosine;
    /// <summary>Learning rate at the last step.</summary>
    public double MinLearningRate { get; init; }
    /// <summary>Passes over the training data (max_epochs); ignored when <see cref="MaxSteps"/> is set.</summary>
    public int MaxEpochs { get; init; } = 2;
    /// <summary>Optimizer steps of the run; when null, epochs × ⌈batches per epoch ÷ accumulation⌉.</summary>
    public long? MaxSteps { get; init; }
}
