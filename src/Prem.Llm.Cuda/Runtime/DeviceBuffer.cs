using System.Runtime.InteropServices;
using Prem.Llm.Native;

namespace Prem.Llm.Cuda.Runtime;

/// <summary>Raw device memory, for callers without TorchSharp's CUDA build (e.g. the GPU harness).</summary>
internal sealed class DeviceBuffer : IDisposable
{
    DeviceBuffer(ulong pointer, long bytes)
    {
        Pointer = pointer;
        Bytes = bytes;
    }

    /// <summary>The device address.</summary>
    public ulong Pointer { get; private set; }

    /// <summary>Size in bytes.</summary>
    public long Bytes { get; }

    /// <summary>Allocates <paramref name="bytes"/> in the current context, zero-filled.</summary>
    public static DeviceBuffer Allocate(long bytes)
    {
        CudaCheck.Driver(CudaDriverApi.MemAlloc(out var pointer, (nuint)Math.Max(bytes, 1)), $"cuMemAlloc({bytes})");
        CudaCheck.Driver(CudaDriverApi.MemsetD8(pointer, 0, (nuint)Math.Max(bytes, 1)), "cuMemsetD8");
        return new DeviceBuffer(pointer, bytes);
    }

    /// <summary>Allocates a buffer holding a copy of <paramref name="data"/>.</summary>
    public static DeviceBuffer From<T>(ReadOnlySpan<T> data) where T : unmanaged
    {
        var buffer = Allocate((long)data.Length * Marshal.SizeOf<T>());
        buffer.Upload(data);
        return buffer;
    }

    /// <summary>Copies host data to the start of the buffer.</summary>
    public unsafe void Upload<T>(ReadOnlySpan<T> data) where T : unmanaged
    {
        var bytes = (long)data.Length * sizeof(T);
        if (bytes > Bytes) throw new CudaException($"Upload of {bytes} bytes into a {Bytes}-byte device buffer.");
        fixed (T* source = data)
            CudaCheck.Driver(CudaDriverApi.MemcpyHtoD(Pointer, source, (nuint)bytes), "cuMemcpyHtoD");
    }

    /// <summary>Copies the start of the buffer to host memory.</summary>
    public unsafe void Download<T>(Span<T> data) where T : unmanaged
    {
        var bytes = (long)data.Length * sizeof(T);
        if (bytes > Bytes) throw new CudaException($"Download of {bytes} bytes from a {Bytes}-byte device buffer.");
        fixed (T* destination = data)
            CudaCheck.Driver(CudaDriverApi.MemcpyDtoH(destination, Pointer, (nuint)bytes), "cuMemcpyDtoH");
    }

    /// <summary>Frees the memory.</summary>
    public void Dispose()
    {
        if (Pointer == 0) return;
        CudaDriverApi.MemFree(Pointer);
        Pointer = 0;
    }
}
