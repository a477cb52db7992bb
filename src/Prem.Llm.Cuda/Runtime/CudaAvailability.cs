using System.Text;
using Prem.Llm.Native;

namespace Prem.Llm.Cuda.Runtime;

/// <summary>
/// Whether CUDA can run our kernels here, and if not, why: no driver library, no device, or no NVRTC.
/// Probing never throws; <see cref="ToString"/> gives "CUDA unavailable: reason" for logs.
/// </summary>
public sealed record CudaAvailability
{
    /// <summary>True when a device, the driver and NVRTC were all found.</summary>
    public bool IsAvailable { get; init; }

    /// <summary>Why CUDA is unavailable; null when it is available.</summary>
    public string? Reason { get; init; }

    /// <summary>Name of device 0, when one was found.</summary>
    public string? DeviceName { get; init; }

    /// <summary>Compute capability of device 0 as major * 10 + minor (90 for an H100); 0 when unknown.</summary>
    public int ComputeCapability { get; init; }

    /// <summary>NVRTC's version as "major.minor", when NVRTC was found.</summary>
    public string? NvrtcVersion { get; init; }

    /// <summary>Probes the driver, device 0 and NVRTC.</summary>
    public static CudaAvailability Probe()
    {
        var nvrtc = ProbeNvrtc();
        if (nvrtc.Error is not null) return Unavailable(nvrtc.Error);
        try
        {
            var status = CudaDriverApi.Init(0);
            if (status != 0)
                return Unavailable($"cuInit failed with {CudaCheck.DriverErrorName(status)} ({status})", nvrtc.Version);
            CudaCheck.Driver(CudaDriverApi.DeviceGetCount(out var count), "cuDeviceGetCount");
            if (count == 0) return Unavailable("the driver reports no CUDA device", nvrtc.Version);
            CudaCheck.Driver(CudaDriverApi.DeviceGet(out var device, 0), "cuDeviceGet");
            var name = new byte[256];
            CudaCheck.Driver(CudaDriverApi.DeviceGetName(name, name.Length, device), "cuDeviceGetName");
            CudaCheck.Driver(CudaDriverApi.DeviceGetAttribute(out var major, CudaDriverApi.AttributeComputeCapabilityMajor, device), "cuDeviceGetAttribute");
            CudaCheck.Driver(CudaDriverApi.DeviceGetAttribute(out var minor, CudaDriverApi.AttributeComputeCapabilityMinor, device), "cuDeviceGetAttribute");
            var capability = major * 10 + minor;
            if (capability < 80)
                return Unavailable($"device 0 has compute capability {major}.{minor}; the kernels need 8.0 or newer", nvrtc.Version);
            return new CudaAvailability
            {
                IsAvailable = true,
                DeviceName = Encoding.UTF8.GetString(name).TrimEnd('\0'),
                ComputeCapability = capability,
                NvrtcVersion = nvrtc.Version,
            };
        }
        catch (DllNotFoundException)
        {
            return Unavailable("the CUDA driver library (libcuda.so.1) was not found", nvrtc.Version);
        }
        catch (EntryPointNotFoundException e)
        {
            return Unavailable($"the CUDA driver library is too old ({e.Message})", nvrtc.Version);
        }
        catch (CudaException e)
        {
            return Unavailable(e.Message, nvrtc.Version);
        }
    }

    /// <summary>Probes NVRTC alone (compiling needs no GPU): its version, or why it cannot load.</summary>
    public static (string? Version, string? Error) ProbeNvrtc()
    {
        try
        {
            CudaCheck.Nvrtc(NvrtcApi.Version(out var major, out var minor), "nvrtcVersion");
            return ($"{major}.{minor}", null);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return (null, "NVRTC (libnvrtc.so) was not found; install a CUDA toolkit, set "
                + $"{NvrtcLocator.NvrtcPathVariable}, or run build/install-nvrtc.sh in the repository");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => IsAvailable
        ? $"CUDA available: {DeviceName} (sm_{ComputeCapability}), NVRTC {NvrtcVersion}"
        : $"CUDA unavailable: {Reason}";

    static CudaAvailability Unavailable(string reason, string? nvrtcVersion = null) =>
        new() { IsAvailable = false, Reason = reason, NvrtcVersion = nvrtcVersion };
}
