using System.Runtime.InteropServices;
using Prem.Llm.Native;

namespace Prem.Llm.Cuda.Runtime;

/// <summary>Turns driver and NVRTC status codes into <see cref="CudaException"/>s with their names.</summary>
internal static class CudaCheck
{
    /// <summary>Throws unless a driver call returned CUDA_SUCCESS.</summary>
    public static void Driver(int status, string call)
    {
        if (status == 0) return;
        var name = DriverErrorName(status);
        throw new CudaException($"{call} failed: {name} ({status}).", status, name);
    }

    /// <summary>Throws unless an NVRTC call returned NVRTC_SUCCESS.</summary>
    public static void Nvrtc(int status, string call)
    {
        if (status == 0) return;
        var name = NvrtcErrorName(status);
        throw new CudaException($"{call} failed: {name} ({status}).", status, name);
    }

    /// <summary>The driver's name for a status (cuGetErrorName), or a generic one when the driver
    /// cannot say (unknown code, or no driver at all).</summary>
    public static string DriverErrorName(int status)
    {
        try
        {
            if (CudaDriverApi.GetErrorName(status, out var text) == 0 && text != IntPtr.Zero)
                return Marshal.PtrToStringUTF8(text) ?? $"CUDA_ERROR_{status}";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
        return $"CUDA_ERROR_{status}";
    }

    /// <summary>NVRTC's name for a status (nvrtcGetErrorString).</summary>
    public static string NvrtcErrorName(int status)
    {
        var text = NvrtcApi.GetErrorString(status);
        return text == IntPtr.Zero ? $"NVRTC_ERROR_{status}" : Marshal.PtrToStringUTF8(text) ?? $"NVRTC_ERROR_{status}";
    }
}
