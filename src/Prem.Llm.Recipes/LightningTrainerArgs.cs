using Prem.Llm.Training;

namespace Prem.Llm.Recipes;

/// <summary>The Prem-1B recipe's <c>trainer</c> section (PyTorch Lightning's Trainer arguments); defaults are the Prem-1B recipe's.</summary>
internal sealed record LightningTrainerArgs
{
    /// <summary>accelerator: auto | cpu | cuda.</summary>
    public Accelerator Accelerator { get; init; } = Accelerator.Auto;
    /// <summary>precision: bf16-mixed | 32 (32-true, fp32) | bf16 (bf16-true).</summary>
    public TrainingPrecision Precision { get; init; } = TrainingPrecision.Bf16Mixed;
    /// <summary>log_every_n_steps (optimizer steps).</summary>
    public int LogEveryNSteps { get; init; } = 1;
    /// <summary>gradient_clip_val: global-norm limit; 0 disables clipping.</summary>
    public double GradientClipVal { get; init; } = 1.0;
    /// <summary>accumulate_grad_batches: micro-batches per optimizer step.</summary>
    public int AccumulateGradBatches { get; init; } = 16;
    /// <summary>max_epochs.</summary>
    public int MaxEpochs { get; init; } = 2;
    /// <summary>max_steps: optimizer steps of the run; null (or -1 in YAML) runs <see cref="MaxEpochs"/>.</summary>
    public long? MaxSteps { get; init; }
    /// <summary>
    /// val_check_interval: as in Lightning, an integer counts training batches (converted to
    /// ⌈batches ÷ accumulate_grad_batches⌉ optimizer steps) and a fraction is a share of an epoch;
    /// null validates only at the end.
    /// </summary>
    public BatchAmount? ValCheckInterval { get; init; }
    /// <summary>limit_val_batches: all (1.0), a fraction, or a count of validation batches.</summary>
    public BatchAmount LimitValBatches { get; init; } = BatchAmount.All;
    /// <summary>limit_train_batches: all (1.0), a fraction, or a count of training batches per epoch.</summary>
    public BatchAmount LimitTrainBatches { get; init; } = BatchAmount.All;
    /// <summary>
    /// reload_dataloaders_every_n_epochs: accepted for the Prem-1B recipe's configs and otherwise a no-op, because
    /// the batch sources already reshuffle every epoch (the order depends on seed and epoch).
    /// </summary>
    public int ReloadDataloadersEveryNEpochs { get; init; }
    /// <summary>gradient_checkpointing: recompute decoder layers in the backward.</summary>
    public bool GradientCheckpointing { get; init; }
    /// <summary>seed: fixes init (from scratch), data order and dropout.</summary>
    public long Seed { get; init; } = 42;
    /// <summary>save_every_n_steps (a Prem.Llm addition): checkpoint every this many steps (a YAML recipe that does not set it gets 500); null saves at the end only.</summary>
    public int? SaveEveryNSteps { get; init; }

    /// <summary>The save_every_n_steps a YAML recipe gets when it does not set one.</summary>
    internal const int DefaultSaveEveryNSteps = 500;
}
