using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Numerics;

/// <summary>
/// The one rule for our hand-written CPU kernels (row cross-entropy, fused AdamW, bf16 conversions through raw
/// pointers): they run only on contiguous CPU tensors of the dtypes they were written for; on CUDA (or any other
/// device, or a strided view) the caller takes its LibTorch path instead. Stated once so a CUDA tensor never
/// reaches a kernel that would read its device pointer as host memory.
/// </summary>
internal static class CpuKernels
{
    /// <summary>True when a kernel written for <paramref name="supported"/> dtypes may read a tensor of this device, dtype and layout.</summary>
    public static bool Apply(DeviceType device, ScalarType dtype, bool contiguous, params ReadOnlySpan<ScalarType> supported) =>
        device == DeviceType.CPU && contiguous && supported.Contains(dtype);

    /// <summary><see cref="Apply(DeviceType, ScalarType, bool, ReadOnlySpan{ScalarType})"/> for <paramref name="tensor"/>.</summary>
    public static bool Apply(Tensor tensor, params ReadOnlySpan<ScalarType> supported) =>
        Apply(tensor.device_type, tensor.dtype, tensor.is_contiguous(), supported);
}
