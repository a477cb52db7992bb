using System.Globalization;
using System.Text;

namespace Prem.Llm.Training;

/// <summary>
/// Per-device memory of a data-parallel training run, in bytes, as <see cref="MemoryPlanner"/> counts it, with the
/// largest micro-batch that fits and the time a token budget takes at the assumed MFU.
/// </summary>
public sealed record MemoryPlan
{
    /// <summary>What was planned.</summary>
    public required MemoryPlanOptions Options { get; init; }
    /// <summary>Parameters of the model.</summary>
    public required long Parameters { get; init; }
    /// <summary>Weights: float32 masters plus the bf16 working copy for bf16-mixed.</summary>
    public required long WeightBytes { get; init; }
    /// <summary>Gradients: float32 master gradients plus the bf16 working gradients for bf16-mixed.</summary>
    public required long GradientBytes { get; init; }
    /// <summary>AdamW's two moments (the master weights' dtype).</summary>
    public required long OptimizerBytes { get; init; }
    /// <summary>Activations kept for the backward of one micro-batch, plus the recomputed layer when checkpointing.</summary>
    public required long ActivationBytes { get; init; }
    /// <summary>Activations of the same micro-batch with checkpointing toggled (for comparison).</summary>
    public required long ActivationBytesOtherwise { get; init; }
    /// <summary>The fused head's gradient buffers and logits chunk, and the data-parallel gradient bucket.</summary>
    public required long WorkspaceBytes { get; init; }
    /// <summary>Everything above.</summary>
    public long TotalBytes => WeightBytes + GradientBytes + OptimizerBytes + ActivationBytes + WorkspaceBytes;
    /// <summary>The device's memory less the reserve.</summary>
    public required long UsableBytes { get; init; }
    /// <summary>True when <see cref="TotalBytes"/> ≤ <see cref="UsableBytes"/>.</summary>
    public bool Fits => TotalBytes <= UsableBytes;
    /// <summary>Largest micro-batch (rows) that fits with checkpointing; 0 when not even one does.</summary>
    public required int MaxMicroBatchCheckpointed { get; init; }
    /// <summary>Largest micro-batch (rows) that fits without checkpointing; 0 when not even one does.</summary>
    public required int MaxMicroBatchPlain { get; init; }
    /// <summary>Training FLOPs per token (<see cref="MemoryPlanner.FlopsPerToken"/>).</summary>
    public required double FlopsPerToken { get; init; }
    /// <summary>Tokens per second over all ranks at <see cref="MemoryPlanOptions.Mfu"/>.</summary>
    public double TokensPerSecond => Options.Mfu * Options.PeakTflops * 1e12 * Options.WorldSize / FlopsPerToken;
    /// <summary>Days for <see cref="MemoryPlanOptions.TokenBudget"/>.</summary>
    public double Days => Options.TokenBudget / TokensPerSecond / 86400;
    /// <summary>Parameters that train: all of them, or with LoRA the adapters and saved-module copies.</summary>
    public long TrainableParameters { get; init; }

    /// <summary>Tokens per optimizer step over all ranks.</summary>
    public long GlobalBatchTokens => (long)Options.SequenceLength * Options.MicroBatch * Options.AccumulationSteps * Options.WorldSize;

    /// <summary>The plan as the lines <c>prem plan</c> prints.</summary>
    public override string ToString()
    {
        var o = Options;
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine(c, $"model: {Parameters / 1e9:F3} B parameters; {o.Precision}, attention {o.Attention}, activation checkpointing {(o.ActivationCheckpointing ? "on" : "off")}");
        s.AppendLine(c, $"run: {o.WorldSize} device(s) × {o.DeviceMemoryGiB:0.#} GiB; micro-batch {o.MicroBatch} × {o.SequenceLength} tokens, {o.AccumulationSteps} accumulation steps → {GlobalBatchTokens:N0} tokens per optimizer step");
        if (o.Lora is { } lora)
            s.AppendLine(c, $"LoRA: r {lora.R} on {string.Join(", ", lora.TargetModules)}{(lora.ModulesToSave.Count > 0 ? " + " + string.Join(", ", lora.ModulesToSave) : "")}: {TrainableParameters / 1e6:F2} M trainable parameters ({100.0 * TrainableParameters / Parameters:F2}%), the base frozen");
        s.AppendLine("per device:");
        s.AppendLine(c, $"  weights      {Gib(WeightBytes),9}");
        s.AppendLine(c, $"  gradients    {Gib(GradientBytes),9}");
        s.AppendLine(c, $"  optimizer    {Gib(OptimizerBytes),9}");
        s.AppendLine(c, $"  activations  {Gib(ActivationBytes),9}   ({(o.ActivationCheckpointing ? "without" : "with")} checkpointing: {Gib(ActivationBytesOtherwise)})");
        s.AppendLine(c, $"  workspace    {Gib(WorkspaceBytes),9}");
        s.AppendLine(c, $"  total        {Gib(TotalBytes),9}   of {Gib(UsableBytes)} usable ({o.ReserveGiB:0.#} GiB reserved): {(Fits ? "fits" : "DOES NOT FIT")}");
        s.AppendLine(c, $"largest micro-batch at {o.SequenceLength} tokens: {MaxMicroBatchCheckpointed} with checkpointing, {MaxMicroBatchPlain} without");
        s.AppendLine(c, $"throughput at {o.Mfu:P0} MFU of {o.PeakTflops:0} TFLOP/s: {TokensPerSecond:N0} tokens/s ({FlopsPerToken / 1e9:F2} GFLOP/token); {o.TokenBudget:0.###e+0} tokens in {Days:F1} days");
        return s.ToString();
    }

    static string Gib(long bytes) => (bytes / (double)(1L << 30)).ToString("F2", CultureInfo.InvariantCulture) + " GiB";
}
