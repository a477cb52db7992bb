namespace Prem.Llm.Training;

/// <summary>
/// Everything the trainer needs besides the model, objective and data, with the Prem-1B recipe's
/// pretraining settings as defaults (AdamW lr 4e-4, betas (0.9, 0.95), weight decay 0.1, 10% warmup
/// then cosine, clip 1.0, 16 accumulated batches, 2 epochs, bf16-mixed, log every step). The
/// optimizer, schedule, precision and checkpoint settings are records of their own; change one with
/// <c>options with { Optimizer = options.Optimizer with { LearningRate = 1e-4 } }</c>.
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>AdamW and gradient clipping.</summary>
    public OptimizerOptions Optimizer { get; init; } = new();
    /// <summary>Run length and learning-rate schedule.</summary>
    public ScheduleOptions Schedule { get; init; } = new();
    /// <summary>Numeric precision and activation checkpointing.</summary>
    public PrecisionOptions Precision { get; init; } = new();
    /// <summary>Run folder, checkpoints, resuming and the final model export.</summary>
    public CheckpointOptions Checkpoint { get; init; } = new();

    /// <summary>Micro-batches per optimizer step (accumulate_grad_batches).</summary>
    public int AccumulationSteps { get; init; } = 16;
    /// <summary>Report and write metrics every this many steps (log_every_n_steps).</summary>
    public int LogEveryNSteps { get; init; } = 1;
    /// <summary>Validate every this many steps (val_check_interval); null validates only at the end.</summary>
    public int? ValidateEveryNSteps { get; init; }
    /// <summary>At most this many validation micro-batches per validation; null for all.</summary>
    public int? LimitValidationBatches { get; init; }
    /// <summary>Steps with a non-finite loss or gradient are skipped; the run stops after more than this many.</summary>
    public int MaxNonFiniteSteps { get; init; } = 10;
    /// <summary>Seeds torch's generator and the data order.</summary>
    public long Seed { get; init; } = 42;
    /// <summary>Gradient bytes (as float32) per all-reduce call under data parallel (PyTorch DDP's 25 MB by default).</summary>
    public long GradientBucketBytes { get; init; } = 25L << 20;
    /// <summary>LibTorch intra-op threads; null keeps LibTorch's choice (one per core).</summary>
    public int? Threads { get; init; }

    /// <summary>Checks ranges; throws <see cref="TrainingException"/> naming the option by its path (e.g. <c>Optimizer.LearningRate</c>).</summary>
    public TrainerOptions Validate()
    {
        Check(Optimizer is not null, nameof(Optimizer), "must be set");
        Check(Schedule is not null, nameof(Schedule), "must be set");
        Check(Precision is not null, nameof(Precision), "must be set");
        Check(Checkpoint is not null, nameof(Checkpoint), "must be set");
        var o = Optimizer!;
        Check(o.LearningRate >= 0 && double.IsFinite(o.LearningRate), "Optimizer.LearningRate", "must be a finite number ≥ 0");
        Check(o.Beta1 >= 0 && o.Beta1 < 1, "Optimizer.Beta1", "must be in [0, 1)");
        Check(o.Beta2 >= 0 && o.Beta2 < 1, "Optimizer.Beta2", "must be in [0, 1)");
        Check(o.Epsilon > 0, "Optimizer.Epsilon", "must be positive");
        Check(o.WeightDecay >= 0, "Optimizer.WeightDecay", "must be ≥ 0");
        var s = Schedule!;
        Check(s.WarmupFraction >= 0 && s.WarmupFraction <= 1, "Schedule.WarmupFraction", "must be in [0, 1]");
        Check(s.MinLearningRate >= 0 && s.MinLearningRate <= o.LearningRate, "Schedule.MinLearningRate", "must be in [0, Optimizer.LearningRate]");
        Check(s.MaxEpochs >= 1, "Schedule.MaxEpochs", "must be ≥ 1");
        Check(s.MaxSteps is null or >= 1, "Schedule.MaxSteps", "must be ≥ 1");
        Check(AccumulationSteps >= 1, nameof(AccumulationSteps), "must be ≥ 1");
        Check(LogEveryNSteps >= 1, nameof(LogEveryNSteps), "must be ≥ 1");
        Check(ValidateEveryNSteps is null or >= 1, nameof(ValidateEveryNSteps), "must be ≥ 1");
        Check(LimitValidationBatches is null or >= 1, nameof(LimitValidationBatches), "must be ≥ 1");
        var c = Checkpoint!;
        Check(c.SaveEveryNSteps is null or >= 1, "Checkpoint.SaveEveryNSteps", "must be ≥ 1");
        Check(c.KeepLastCheckpoints >= 1, "Checkpoint.KeepLastCheckpoints", "must be ≥ 1");
        Check(c.ResumeFrom is null || c.OutputDir is not null || c.ResumeFrom is not ("latest" or CheckpointOptions.ResumeAuto), "Checkpoint.ResumeFrom", $"\"{c.ResumeFrom}\" needs a Checkpoint.OutputDir");
        Check(MaxNonFiniteSteps >= 0, nameof(MaxNonFiniteSteps), "must be ≥ 0");
        Check(GradientBucketBytes >= 4, nameof(GradientBucketBytes), "must be ≥ 4");
        Check(Threads is null or >= 1, nameof(Threads), "must be ≥ 1");
        return this;
    }

    static void Check(bool ok, string name, string rule)
    {
        if (!ok) throw new TrainingException($"Trainer option {name} {rule}.");
    }
}
