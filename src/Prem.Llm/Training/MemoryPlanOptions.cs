namespace Prem.Llm.Training;

/// <summary>
/// The run a <see cref="MemoryPlanner"/> plans for; defaults are the Prem-1B recipe's (8192-token rows, micro-batch 2,
/// bf16-mixed, flash attention, activation checkpointing, 16 GPUs of 80 GB at 40% MFU).
/// </summary>
public sealed record MemoryPlanOptions
{
    /// <summary>Tokens per row.</summary>
    public int SequenceLength { get; init; } = 8192;
    /// <summary>Rows per micro-batch on one device.</summary>
    public int MicroBatch { get; init; } = 2;
    /// <summary>Micro-batches per optimizer step (for the global batch only: memory does not depend on it).</summary>
    public int AccumulationSteps { get; init; } = 16;
    /// <summary>Weight, gradient and optimizer-state dtypes.</summary>
    public TrainingPrecision Precision { get; init; } = TrainingPrecision.Bf16Mixed;
    /// <summary>Recompute each decoder layer in the backward (only its input is kept).</summary>
    public bool ActivationCheckpointing { get; init; } = true;
    /// <summary>
    /// Attention backend: "flash" and "sdpa" keep O(sequence) per head (LibTorch's fused kernels on CUDA), "eager"
    /// keeps the [heads, sequence, sequence] probabilities.
    /// </summary>
    public string Attention { get; init; } = "flash";
    /// <summary>Data-parallel ranks (every rank holds a full replica).</summary>
    public int WorldSize { get; init; } = 16;
    /// <summary>Memory of one device in GiB (80 GB H100/A100: 79.6 GiB usable is the driver's figure; 80 is the label).</summary>
    public double DeviceMemoryGiB { get; init; } = 80;
    /// <summary>Memory kept free on each device for the CUDA context, cuBLAS/NCCL workspaces and allocator fragmentation, in GiB.</summary>
    public double ReserveGiB { get; init; } = 4;
    /// <summary>Model FLOP utilisation assumed for the time estimate (0–1].</summary>
    public double Mfu { get; init; } = 0.4;
    /// <summary>Peak dense bf16 TFLOP/s of one device (H100 SXM: 989).</summary>
    public double PeakTflops { get; init; } = 989;
    /// <summary>Tokens to train on, for the days estimate.</summary>
    public double TokenBudget { get; init; } = 1e12;
    /// <summary>
    /// LoRA adapters (<see cref="Adapters.LoraConfig"/>): the base weights are frozen (no gradients, no moments; a bf16
    /// working copy beside float32 masters under bf16-mixed, bf16 alone under pure bf16) and only the adapters and
    /// saved modules (float32 under pure bf16) train; null plans full fine-tuning.
    /// </summary>
    public Adapters.LoraConfig? Lora { get; init; }
    /// <summary>Bytes of a data-parallel gradient bucket (the trainer's <see cref="TrainerOptions.GradientBucketBytes"/>).</summary>
    public long GradientBucketBytes { get; init; } = 25L << 20;

    /// <summary>Throws naming the first invalid field.</summary>
    public MemoryPlanOptions Validate()
    {
        if (SequenceLength <= 0) throw new ArgumentOutOfRangeException(nameof(SequenceLength), SequenceLength, "must be positive");
        if (MicroBatch <= 0) throw new ArgumentOutOfRangeException(nameof(MicroBatch), MicroBatch, "must be positive");
        if (AccumulationSteps <= 0) throw new ArgumentOutOfRangeException(nameof(AccumulationSteps), AccumulationSteps, "must be positive");
        if (WorldSize <= 0) throw new ArgumentOutOfRangeException(nameof(WorldSize), WorldSize, "must be positive");
        if (!(DeviceMemoryGiB > 0)) throw new ArgumentOutOfRangeException(nameof(DeviceMemoryGiB), DeviceMemoryGiB, "must be positive");
        if (!(ReserveGiB >= 0)) throw new ArgumentOutOfRangeException(nameof(ReserveGiB), ReserveGiB, "must be ≥ 0");
        if (!(Mfu > 0 && Mfu <= 1)) throw new ArgumentOutOfRangeException(nameof(Mfu), Mfu, "must be in (0, 1]");
        if (!(PeakTflops > 0)) throw new ArgumentOutOfRangeException(nameof(PeakTflops), PeakTflops, "must be positive");
        if (!(TokenBudget > 0)) throw new ArgumentOutOfRangeException(nameof(TokenBudget), TokenBudget, "must be positive");
        if (Attention is not ("flash" or "sdpa" or "eager" or "flash_reference"))
            throw new ArgumentOutOfRangeException(nameof(Attention), Attention, "expected flash, sdpa or eager");
        return this;
    }
}
