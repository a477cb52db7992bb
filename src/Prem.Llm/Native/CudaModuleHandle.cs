using System.Runtime.InteropServices;

namespace Prem.Llm.Native;

/// <summary>
/// An owned <c>CUmodule</c>: unloaded with <c>cuModuleUnload</c> exactly once, also when its owner is
/// never disposed. Kernels (<c>CUfunction</c>) taken from it live as long as it does.
/// </summary>
internal sealed class CudaModuleHandle : SafeHandle
{
    /// <summary>An empty handle, filled in by <c>cuModuleLoadData</c>.</summary>
    public CudaModuleHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => CudaDriverApi.ModuleUnload(handle) == 0;
}
