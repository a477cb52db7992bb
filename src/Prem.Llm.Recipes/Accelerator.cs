namespace Prem.Llm.Recipes;

/// <summary>Where training runs (Lightning's <c>trainer.accelerator</c>).</summary>
internal enum Accelerator
{
    /// <summary>This rank's GPU when LibTorch sees one, else the CPU.</summary>
    Auto,
    /// <summary>The CPU.</summary>
    Cpu,
    /// <summary>This rank's CUDA GPU (one per local rank); an error naming the key where LibTorch sees none.</summary>
    Cuda,
}
