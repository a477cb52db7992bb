namespace Prem.Llm.Training;

/// <summary>
/// Everything the trainer needs besides the model, objective and data, with the seed's pretraining
/// recipe as defaults (AdamW lr 4e-4, betas (0.9, 0.95), weight decay 0.1, 10% warmup then cosine,
/// clip 1.0, 16 accumulated batches, 2 epochs, bf16-mixed, log every step).
/// </summary>
public sealed record TrainerOptions
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

    /// <summary>Share of all optimizer steps spent in linear warmup (num_warmup_percentage / warmup_ratio).</summary>
    public double WarmupFraction { get; init; } = 0.1;
    /// <summary>Decay after warmup.</summary>
    public LearningRateDecay Decay { get; init; } = LearningRateDecay.Cosine;
    /// <summary>Learning rate at the last step.</summary>
    public double MinLearningRate { get; init; }

    /// <summary>Global gradient-norm limit; 0 or less disables clipping (gradient_clip_val).</summary>
    public double GradientClipNorm { get; init; } = 1.0;
    /// <summary>Micro-batches per optimizer step (accumulate_grad_batches).</summary>
    public int AccumulationSteps { get; init; } = 16;
    /// <summary>Passes over the training data (max_epochs); ignored when <see cref="MaxSteps"/> is set.</summary>
    public int MaxEpochs { get; init; } = 2;
    /// <summary>Optimizer steps of the run; when null, epochs × ⌈batches per epoch ÷ accumulation⌉.</summary>
    public long? MaxSteps { get; init; }

    /// <summary>Numeric precision (precision: bf16-mixed).</summary>
    public TrainingPrecision Precision { get; init; } = TrainingPrecision.Bf16Mixed;
    /// <summary>Recompute decoder layers in the backward instead of keeping their activations.</summary>
    public bool ActivationCheckpointing { get; init; }

    /// <summary>Report and write metrics every this many steps (log_every_n_steps).</summary>
    public int LogEveryNSteps { get; init; } = 1;
    /// <summary>Validate every this many steps (val_check_interval); null validates only at the end.</summary>
    public int? ValidateEveryNSteps { get; init; }
    /// <summary>At most this many validation micro-batches per validation; null for all.</summary>
    public int? LimitValidationBatches { get; init; }

    /// <summary>Run folder for checkpoints, metrics.jsonl, the curve PNG and the final model; null writes nothing.</summary>
    public string? OutputDir { get; init; }
    /// <summary>Save a checkpoint every this many steps; null saves only at the end (when an output folder is set).</summary>
    public int? SaveEveryNSteps { get; init; }
    /// <summary>Checkpoints kept; older ones are deleted after each successful save.</summary>
    public int KeepLastCheckpoints { get; init; } = 3;
    /// <summary>A checkpoint folder, or "latest" for the newest in the output folder; null starts fresh.</summary>
    public string? ResumeFrom { get; init; }
    /// <summary>Write the final model as an HF folder (<c>OutputDir/final</c>).</summary>
    public bool ExportFinalModel { get; init; } = true;
    /// <summary>A folder whose tokenizer files are copied next to the exported model.</summary>
    public string? TokenizerDirectory { get; init; }

    /// <summary>Steps with a non-finite loss or gradient are skipped; the run stops after more than this many.</summary>
    public int MaxNonFiniteSteps { get; init; } = 10;
    /// <summary>Seeds torch's generator and the data order.</summary>
    public long Seed { get; init; } = 42;
    /// <summary>Gradient bytes (as float32) per all-reduce call under data parallel (PyTorch DDP's 25 MB by default).</summary>
    public long GradientBucketBytes { get; init; } = 25L << 20;
    /// <summary>LibTorch intra-op threads; null keeps LibTorch's choice (one per core).</summary>
    public int? Threads { get; init; }

    /// <summary>Checks ranges; throws <see cref="TrainingException"/> naming the option.</summary>
    public TrainerOptions Validate()
    {
        Check(LearningRate >= 0 && double.IsFinite(LearningRate), nameof(LearningRate), "must be a finite number ≥ 0");
        Check(Beta1 >= 0 && Beta1 < 1, nameof(Beta1), "must be in [0, 1)");
        Check(Beta2 >= 0 && Beta2 < 1, nameof(Beta2), "must be in [0, 1)");
        Check(Epsilon > 0, nameof(Epsilon), "must be positive");
        Check(WeightDecay >= 0, nameof(WeightDecay), "must be ≥ 0");
        Check(WarmupFraction >= 0 && WarmupFraction <= 1, nameof(WarmupFraction), "must be in [0, 1]");
        Check(MinLearningRate >= 0 && MinLearningRate <= LearningRate, nameof(MinLearningRate), "must be in [0, LearningRate]");
        Check(AccumulationSteps >= 1, nameof(AccumulationSteps), "must be ≥ 1");
        Check(MaxEpochs >= 1, nameof(MaxEpochs), "must be ≥ 1");
        Check(MaxSteps is null or >= 1, nameof(MaxSteps), "must be ≥ 1");
        Check(LogEveryNSteps >= 1, nameof(LogEveryNSteps), "must be ≥ 1");
        Check(ValidateEveryNSteps is null or >= 1, nameof(ValidateEveryNSteps), "must be ≥ 1");
        Check(LimitValidationBatches is null or >= 1, nameof(LimitValidationBatches), "must be ≥ 1");
        Check(SaveEveryNSteps is null or >= 1, nameof(SaveEveryNSteps), "must be ≥ 1");
        Check(KeepLastCheckpoints >= 1, nameof(KeepLastCheckpoints), "must be ≥ 1");
        Check(MaxNonFiniteSteps >= 0, nameof(MaxNonFiniteSteps), "must be ≥ 0");
        Check(GradientBucketBytes >= 4, nameof(GradientBucketBytes), "must be ≥ 4");
        Check(Threads is null or >= 1, nameof(Threads), "must be ≥ 1");
        Check(ResumeFrom is null || OutputDir is not null || ResumeFrom != "latest", nameof(ResumeFrom), "\"latest\" needs an OutputDir");
        return this;
    }

    static void Check(bool ok, string name, string rule)
    {
        if (!ok) throw new TrainingException($"Trainer option {name} {rule}.");
    }
}
