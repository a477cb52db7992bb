using TorchSharp;
using Prem.Llm.Native;
using static TorchSharp.torch;

namespace Prem.Llm.Devices;

/// <summary>
/// Memory of a CUDA device as the driver reports it (<c>cuMemGetInfo</c>): <see cref="UsedBytes"/> is everything
/// held on the device — LibTorch's caching allocator's reserved blocks, the CUDA context, other processes.
/// TorchSharp 0.107 binds none of LibTorch's allocator statistics (allocated / reserved / peak), so this is the
/// nearest figure; the trainer tracks its peak by sampling it every step.
/// </summary>
/// <param name="UsedBytes">Total minus free bytes.</param>
/// <param name="TotalBytes">The device's memory.</param>
public readonly record struct GpuMemory(long UsedBytes, long TotalBytes)
{
    /// <summary>The memory of <paramref name="device"/>, or null off CUDA or when the driver cannot say (no current context on this thread).</summary>
    public static GpuMemory? Of(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.type != DeviceType.CUDA) return null;
        try
        {
            return CudaDriverApi.MemGetInfo(out nuint free, out nuint total) == 0 ? new GpuMemory((long)(total - free), (long)total) : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Used memory in GiB.</summary>
    public double UsedGiB => UsedBytes / (double)(1L << 30);
}
