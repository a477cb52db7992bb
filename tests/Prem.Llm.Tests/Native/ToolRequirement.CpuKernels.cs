using Prem.Llm.Native;

namespace Prem.Llm.Testing;

internal static partial class ToolRequirement
{
    /// <summary>
    /// One of the CPU engine's native kernels: skipped where the CPU lacks its extension (hardware, not a missing
    /// tool); where only the library is missing (no C compiler at build time) skipped, or failed under CI.
    /// </summary>
    public static void NativeCpuKernel(NativeKernel kernel)
    {
        if (kernel.Available) return;
        if (!kernel.CpuSupported) throw new SkipException(kernel.Missing!);
        Require(kernel.Missing!, "apt-get install gcc, then rebuild (the build compiles src/Prem.Llm/Native/prem_cpu_kernels.c)");
    }
}
