using Prem.Llm.Native;

namespace Prem.Llm.Testing;

internal static partial class ToolRequirement
{
    /// <summary>
    /// The CPU engine's native kernels: skipped where the CPU lacks AVX512-BF16/VNNI (hardware, not a missing
    /// tool); where only the library is missing (no C compiler at build time) skipped, or failed under CI.
    /// </summary>
    public static void NativeCpuKernels()
    {
        if (Prem.Llm.Native.NativeCpuKernels.Available) return;
        string missing = Prem.Llm.Native.NativeCpuKernels.Missing!;
        if (missing.StartsWith("the CPU", StringComparison.Ordinal)) throw new SkipException(missing);
        Require(missing, "apt-get install gcc, then rebuild (the build compiles src/Prem.Llm/Native/prem_cpu_kernels.c)");
    }
}
