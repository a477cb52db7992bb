using Prem.Llm.Native;

namespace Prem.Llm.Cuda.Runtime;

/// <summary>
/// A device's primary context (the one libtorch uses, so our launches share its memory and default
/// stream), made current on the calling thread.
/// </summary>
internal sealed class CudaContext : IDisposable
{
    IntPtr _context;

    CudaContext(int device, IntPtr context, int capability)
    {
        Device = device;
        _context = context;
        ComputeCapability = capability;
    }

    /// <summary>Driver ordinal of the device.</summary>
    public int Device { get; }

    /// <summary>Compute capability as major * 10 + minor.</summary>
    public int ComputeCapability { get; }

    /// <summary>The NVRTC target for this device: "sm_XY".</summary>
    public string Architecture => $"sm_{ComputeCapability}";

    /// <summary>Retains device <paramref name="ordinal"/>'s primary context and makes it current.</summary>
    /// <exception cref="CudaException">CUDA is unavailable (the message says why) or a driver call failed.</exception>
    public static CudaContext Open(int ordinal = 0)
    {
        var availability = CudaAvailability.Probe();
        if (!availability.IsAvailable) throw new CudaException(availability.ToString());
        CudaCheck.Driver(CudaDriverApi.DeviceGet(out var device, ordinal), "cuDeviceGet");
        CudaCheck.Driver(CudaDriverApi.DeviceGetAttribute(out var major, CudaDriverApi.AttributeComputeCapabilityMajor, device), "cuDeviceGetAttribute");
        CudaCheck.Driver(CudaDriverApi.DeviceGetAttribute(out var minor, CudaDriverApi.AttributeComputeCapabilityMinor, device), "cuDeviceGetAttribute");
        CudaCheck.Driver(CudaDriverApi.DevicePrimaryCtxRetain(out var context, device), "cuDevicePrimaryCtxRetain");
        CudaCheck.Driver(CudaDriverApi.CtxSetCurrent(context), "cuCtxSetCurrent");
        return new CudaContext(device, context, major * 10 + minor);
    }

    /// <summary>Makes the context current on the calling thread (launches run on the current context).</summary>
    public void MakeCurrent()
    {
        ObjectDisposedException.ThrowIf(_context == IntPtr.Zero, this);
        CudaCheck.Driver(CudaDriverApi.CtxSetCurrent(_context), "cuCtxSetCurrent");
    }

    /// <summary>Loads a cubin or PTX image into the context.</summary>
    public CudaModule LoadModule(byte[] image)
    {
        MakeCurrent();
        CudaCheck.Driver(CudaDriverApi.ModuleLoadData(out var module, image), "cuModuleLoadData");
        return new CudaModule(module);
    }

    /// <summary>Waits for all work in the context.</summary>
    public void Synchronize() => CudaCheck.Driver(CudaDriverApi.CtxSynchronize(), "cuCtxSynchronize");

    /// <summary>Releases the primary context.</summary>
    public void Dispose()
    {
        if (_context == IntPtr.Zero) return;
        _context = IntPtr.Zero;
        CudaDriverApi.DevicePrimaryCtxRelease(Device);
    }
}
