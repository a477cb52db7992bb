namespace Prem.Llm.Native;

/// <summary>
/// One kernel of the CPU kernel library (<see cref="NativeCpuKernels"/>) on this machine: it runs where the
/// CPU has its instruction set extension and the library loaded.
/// </summary>
internal sealed class NativeKernel(string name, Func<string?> cpuMissing)
{
    readonly Lazy<string?> _cpuMissing = new(cpuMissing);

    /// <summary>The instructions it runs on, e.g. "avx512-bf16".</summary>
    public string Name => name;

    /// <summary>Whether the CPU (and the OS) has the extension, whether or not the library is present.</summary>
    public bool CpuSupported => _cpuMissing.Value is null;

    /// <summary>Why <see cref="Available"/> is false: the CPU's missing extension first, then the missing library; null when it is true.</summary>
    public string? Missing => _cpuMissing.Value ?? NativeCpuKernels.LibraryMissing;

    /// <summary>Whether the CPU has the extension and the library loaded.</summary>
    public bool Available => Missing is null;

    /// <summary><see cref="Available"/> and <see cref="NativeCpuKernels.Enabled"/>.</summary>
    public bool Use => NativeCpuKernels.Enabled && Available;
}
