using Prem.Llm.Training;

namespace Prem.Llm.Recipes;

/// <summary>
/// A pretraining or SFT run in the Prem-1B recipe's Lightning-style shape (<c>model</c>, <c>data</c>,
/// <c>trainer</c>, plus <c>output_dir</c> and <c>resume_from</c>). Read one from YAML with
/// <see cref="RecipeYaml.LoadTraining"/>, or build it in code; <see cref="RecipeBuilder"/> turns it into
/// a model, data and <see cref="TrainerOptions"/>.
/// </summary>
internal sealed record TrainingRecipe
{
    /// <summary>Pretraining or SFT.</summary>
    public RecipeKind Kind { get; init; }
    /// <summary>model.model_args.</summary>
    public required ModelArgs Model { get; init; }
    /// <summary>model.optimizer_args.</summary>
    public OptimizerArgs Optimizer { get; init; } = new();
    /// <summary>model.lr_scheduler_args.</summary>
    public LrSchedulerArgs Scheduler { get; init; } = new();
    /// <summary>data.</summary>
    public required DataArgs Data { get; init; }
    /// <summary>trainer.</summary>
    public LightningTrainerArgs Trainer { get; init; } = new();
    /// <summary>output_dir: the run folder (checkpoints, metrics.jsonl, curves.png, final/).</summary>
    public required string OutputDir { get; init; }
    /// <summary>resume_from: a checkpoint folder or "latest"; null starts fresh.</summary>
    public string? ResumeFrom { get; init; }
    /// <summary>overwrite (or the CLI's --overwrite): start over in a used output_dir, deleting its earlier run.</summary>
    public bool Overwrite { get; init; }

    /// <summary>
    /// The trainer options this recipe means, for an epoch of <paramref name="trainBatchesPerEpoch"/>
    /// micro-batches (after limit_train_batches) and <paramref name="valBatchesPerEpoch"/> validation
    /// micro-batches (needed to resolve fractions).
    /// </summary>
    public TrainerOptions ToTrainerOptions(long trainBatchesPerEpoch, long? valBatchesPerEpoch = null)
    {
        var t = Trainer;
        int accumulate = t.AccumulateGradBatches;
        int? validateEvery = null;
        if (t.ValCheckInterval is BatchAmount interval)
        {
            long batches = interval.Resolve(trainBatchesPerEpoch);
            if (batches > 0) validateEvery = (int)Math.Min(int.MaxValue, (batches + accumulate - 1) / accumulate);
        }
        int? limitVal = t.LimitValBatches.IsAll(valBatchesPerEpoch) ? null
            : (int)Math.Min(int.MaxValue, Math.Max(1, t.LimitValBatches.Resolve(valBatchesPerEpoch ?? 0)));
        return new TrainerOptions
        {
            Optimizer = new OptimizerOptions
            {
                LearningRate = Optimizer.Lr, Beta1 = Optimizer.Beta1, Beta2 = Optimizer.Beta2,
                WeightDecay = Optimizer.WeightDecay, Epsilon = Optimizer.Eps, GradientClipNorm = t.GradientClipVal,
            },
            Schedule = new ScheduleOptions
            {
                WarmupFraction = Scheduler.NumWarmupPercentage, Decay = Scheduler.Decay, MinLearningRate = Scheduler.MinLr,
                MaxEpochs = t.MaxEpochs, MaxSteps = t.MaxSteps,
            },
            Precision = new PrecisionOptions { Mode = t.Precision, ActivationCheckpointing = t.GradientCheckpointing },
            // The trainer exports the final model (output_dir/final) in model_args.dtype; the builder adds the tokenizer.
            Checkpoint = new CheckpointOptions
            {
                OutputDir = OutputDir, ResumeFrom = ResumeFrom, Overwrite = Overwrite, SaveEveryNSteps = t.SaveEveryNSteps,
                ExportDtype = RecipeModels.ExportDtype(Model.Dtype), ExportMergedModel = Model.Peft.MergeAdapter,
            },
            AccumulationSteps = accumulate, LogEveryNSteps = t.LogEveryNSteps,
            ValidateEveryNSteps = validateEvery, LimitValidationBatches = limitVal, Seed = t.Seed,
        };
    }
}
