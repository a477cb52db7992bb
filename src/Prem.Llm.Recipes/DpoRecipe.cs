using Prem.Llm.Objectives;
using Prem.Llm.Training;

namespace Prem.Llm.Recipes;

/// <summary>
/// A DPO run in the flat TRL / alignment-handbook shape the Prem-1B recipe used. Defaults are the Prem-1B recipe's DPO
/// values where it gives them and TRL/HF TrainingArguments' otherwise (AdamW β (0.9, 0.999), no weight
/// decay, clip 1.0). Read one with <see cref="RecipeYaml.LoadDpo"/> or build it in code.
/// </summary>
internal sealed record DpoRecipe
{
    /// <summary>model_name_or_path: the policy's starting point (a local HF folder, usually the SFT model).</summary>
    public required string ModelNameOrPath { get; init; }
    /// <summary>ref_model_name_or_path: the reference model; null uses the policy's start.</summary>
    public string? RefModelNameOrPath { get; init; }
    /// <summary>train_path: preference pairs (JSONL with prompt, chosen, rejected).</summary>
    public required string TrainPath { get; init; }
    /// <summary>val_path: validation pairs, or null.</summary>
    public string? ValPath { get; init; }
    /// <summary>tokenizer: tokenizer folder or file; null uses the model folder's.</summary>
    public string? Tokenizer { get; init; }
    /// <summary>replace_invalid_utf8: bytes of train_path/val_path that are not UTF-8 become U+FFFD, counted per file (default: an error naming file and byte offset).</summary>
    public bool ReplaceInvalidUtf8 { get; init; }
    /// <summary>output_dir: the run folder.</summary>
    public required string OutputDir { get; init; }
    /// <summary>resume_from: a checkpoint folder or "latest".</summary>
    public string? ResumeFrom { get; init; }
    /// <summary>overwrite (or the CLI's --overwrite): start over in a used output_dir, deleting its earlier run.</summary>
    public bool Overwrite { get; init; }

    /// <summary>beta: the DPO temperature.</summary>
    public double Beta { get; init; } = 0.01;
    /// <summary>loss_type: sigmoid | ipo | hinge | robust.</summary>
    public DpoLossType LossType { get; init; } = DpoLossType.Sigmoid;
    /// <summary>label_smoothing (robust and conservative sigmoid).</summary>
    public double LabelSmoothing { get; init; }
    /// <summary>precompute_ref_log_probs: cache the reference log-probs on disk once, so no reference model is in memory while training.</summary>
    public bool PrecomputeRefLogProbs { get; init; } = true;

    /// <summary>learning_rate.</summary>
    public double LearningRate { get; init; } = 4e-6;
    /// <summary>lr_scheduler_type: linear | cosine | cosine_with_min_lr | constant | constant_with_warmup.</summary>
    public LearningRateDecay LrSchedulerType { get; init; } = LearningRateDecay.Cosine;
    /// <summary>cosine_with_min_lr's lr_scheduler_kwargs min_lr (or min_lr_rate × learning_rate); 0 otherwise.</summary>
    public double MinLearningRate { get; init; }
    /// <summary>warmup_ratio.</summary>
    public double WarmupRatio { get; init; } = 0.1;
    /// <summary>weight_decay.</summary>
    public double WeightDecay { get; init; }
    /// <summary>adam_beta1.</summary>
    public double AdamBeta1 { get; init; } = 0.9;
    /// <summary>adam_beta2.</summary>
    public double AdamBeta2 { get; init; } = 0.999;
    /// <summary>adam_epsilon.</summary>
    public double AdamEpsilon { get; init; } = 1e-8;
    /// <summary>max_grad_norm: 0 disables clipping.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>max_length: prompt + response tokens.</summary>
    public int MaxLength { get; init; } = 8192;
    /// <summary>chat_template: a Jinja file or "llama3"; null uses the tokenizer folder's, else the Llama-3 template of the Prem-1B recipe.</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>max_prompt_length: prompts are cut to this from the left when a pair is too long.</summary>
    public int MaxPromptLength { get; init; } = 1000;
    /// <summary>per_device_train_batch_size: pairs per micro-batch.</summary>
    public int PerDeviceTrainBatchSize { get; init; } = 2;
    /// <summary>per_device_eval_batch_size: pairs per validation batch; null uses the training size.</summary>
    public int? PerDeviceEvalBatchSize { get; init; }
    /// <summary>gradient_accumulation_steps.</summary>
    public int GradientAccumulationSteps { get; init; } = 4;
    /// <summary>gradient_checkpointing (use_reentrant is accepted and has no effect: the recompute is exact either way).</summary>
    public bool GradientCheckpointing { get; init; } = true;
    /// <summary>num_train_epochs.</summary>
    public int NumTrainEpochs { get; init; } = 1;
    /// <summary>max_steps: optimizer steps; null (or -1) runs <see cref="NumTrainEpochs"/>.</summary>
    public long? MaxSteps { get; init; }
    /// <summary>seed.</summary>
    public long Seed { get; init; } = 42;
    /// <summary>bf16: bf16-mixed training when true, float32 when false.</summary>
    public bool Bf16 { get; init; } = true;
    /// <summary>logging_steps.</summary>
    public int LoggingSteps { get; init; } = 1;
    /// <summary>save_steps: checkpoint every this many steps (500 unless set, as in HF); null saves at the end only.</summary>
    public int? SaveSteps { get; init; } = 500;
    /// <summary>eval_steps: validate every this many steps; null validates at the end only.</summary>
    public int? EvalSteps { get; init; }
    /// <summary>Attention backend ("eager", "sdpa", "flash"; attn_implementation in YAML).</summary>
    public string Attention { get; init; } = "sdpa";
    /// <summary>The PEFT keys (<c>use_peft</c>, <c>lora_r</c>…): LoRA adapters on the frozen policy, whose reference is then the policy with its adapters off.</summary>
    public PeftArgs Peft { get; init; } = new();

    /// <summary>The trainer options this recipe means.</summary>
    public TrainerOptions ToTrainerOptions() => new()
    {
        Optimizer = new OptimizerOptions
        {
            LearningRate = LearningRate, Beta1 = AdamBeta1, Beta2 = AdamBeta2, Epsilon = AdamEpsilon, WeightDecay = WeightDecay,
            GradientClipNorm = MaxGradNorm,
        },
        Schedule = new ScheduleOptions { WarmupFraction = WarmupRatio, Decay = LrSchedulerType, MinLearningRate = MinLearningRate, MaxEpochs = NumTrainEpochs, MaxSteps = MaxSteps },
        Precision = new PrecisionOptions { Mode = Bf16 ? TrainingPrecision.Bf16Mixed : TrainingPrecision.Float32, ActivationCheckpointing = GradientCheckpointing },
        // The trainer exports the final model (output_dir/final); the builder adds the tokenizer.
        Checkpoint = new CheckpointOptions { OutputDir = OutputDir, ResumeFrom = ResumeFrom, Overwrite = Overwrite, SaveEveryNSteps = SaveSteps, ExportMergedModel = Peft.MergeAdapter },
        AccumulationSteps = GradientAccumulationSteps, LogEveryNSteps = LoggingSteps, ValidateEveryNSteps = EvalSteps, Seed = Seed,
    };
}
