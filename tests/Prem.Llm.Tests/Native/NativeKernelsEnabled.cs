using Prem.Llm.Native;

namespace Prem.Llm.Tests.Native;

/// <summary>Sets <see cref="NativeCpuKernels.Enabled"/> for a test and puts the previous value back when disposed.</summary>
internal sealed class NativeKernelsEnabled : IDisposable
{
    readonly bool _saved = NativeCpuKernels.Enabled;

    /// <summary>Turns the native kernels on or off until <see cref="Dispose"/>.</summary>
    public NativeKernelsEnabled(bool enabled) => NativeCpuKernels.Enabled = enabled;

    /// <inheritdoc />
    public void Dispose() => NativeCpuKernels.Enabled = _saved;
}
