using System.Runtime.InteropServices;

namespace Prem.Llm.Native;

/// <summary>
/// An owned <c>ncclComm_t</c>: released with <c>ncclCommDestroy</c> exactly once, also when its owner
/// is never disposed. The P/Invoke marshaller keeps it alive across each call that uses it, so a
/// watchdog's <c>ncclCommAbort</c> on another thread cannot race the release.
/// </summary>
internal sealed class NcclCommHandle : SafeHandle
{
    /// <summary>An empty handle, filled in by <c>ncclCommInitRank</c>.</summary>
    public NcclCommHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => NcclNative.CommDestroy(handle) == NcclNative.Success;
}
