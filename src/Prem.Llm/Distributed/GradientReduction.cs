namespace Prem.Llm.Distributed;

/// <summary>How <see cref="DataParallel.AllReduceGradients(TorchSharp.torch.nn.Module)"/> combines the ranks' gradients.</summary>
public enum GradientReduction
{
    /// <summary>
    /// Mean over ranks. With each rank's loss the mean over its own micro-batch (and equal micro-batches),
    /// N ranks × micro-batch b give the update of one rank with batch N·b.
    /// </summary>
    Average,

    /// <summary>
    /// Sum over ranks: for losses already normalised by a global count, e.g. the sum of token losses
    /// divided by the all-reduced number of target tokens (exact when ranks hold different token counts).
    /// </summary>
    Sum,
}
