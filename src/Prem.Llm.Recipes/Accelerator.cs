namespace Prem.Llm.Recipes;

/// <summary>Where training runs (Lightning's <c>trainer.accelerator</c>).</summary>
internal enum Accelerator
{
    /// <summary>The best available device (the CPU in this version).</summary>
    Auto,
    /// <summary>The CPU.</summary>
    Cpu,
    /// <summary>A CUDA GPU (refused in this version: the trainer's data path runs on the CPU).</summary>
    Cuda,
}
