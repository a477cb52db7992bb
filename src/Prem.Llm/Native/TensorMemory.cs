using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Native;

/// <summary>
/// Raw access to a tensor's elements (collectives, fused CPU kernels): a span over a contiguous CPU
/// tensor, or the device address of a CUDA tensor for NCCL, through <see cref="TorchSharpNative"/>.
/// </summary>
internal static class TensorMemory
{
    /// <summary>The address of the first element of <paramref name="tensor"/> (CPU or CUDA).</summary>
    public static IntPtr DataPointer(Tensor tensor) => TorchSharpNative.DataPointer(tensor);

    /// <summary>A span over a contiguous CPU float32 tensor's elements.</summary>
    public static unsafe Span<float> FloatSpan(Tensor tensor)
    {
        Require(tensor, ScalarType.Float32);
        return new Span<float>((void*)DataPointer(tensor), checked((int)tensor.numel()));
    }

    /// <summary>A span over a contiguous CPU float64 tensor's elements.</summary>
    public static unsafe Span<double> DoubleSpan(Tensor tensor)
    {
        Require(tensor, ScalarType.Float64);
        return new Span<double>((void*)DataPointer(tensor), checked((int)tensor.numel()));
    }

    /// <summary>A span over a contiguous CPU tensor's bytes, any dtype.</summary>
    public static unsafe Span<byte> ByteSpan(Tensor tensor)
    {
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException($"Expected a contiguous CPU tensor, got {tensor.device} (contiguous: {tensor.is_contiguous()}).", nameof(tensor));
        return new Span<byte>((void*)DataPointer(tensor), checked((int)(tensor.numel() * tensor.element_size())));
    }

    private static void Require(Tensor tensor, ScalarType dtype)
    {
        if (tensor.dtype != dtype || tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException(
                $"Expected a contiguous CPU {dtype} tensor, got {tensor.dtype} on {tensor.device} (contiguous: {tensor.is_contiguous()}).", nameof(tensor));
    }
}
