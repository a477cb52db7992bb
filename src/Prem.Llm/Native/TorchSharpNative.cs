using System.Runtime.InteropServices;
using TorchSharp;

namespace Prem.Llm.Native;

/// <summary>
/// The data address of a TorchSharp tensor. TorchSharp exposes no data_ptr(); its native library
/// (already loaded by TorchSharp, found by the default probing) exports THSTensor_data, which returns
/// at::Tensor::data_ptr() (storage offset included) for CPU and CUDA tensors alike, so views and
/// slices map to the right address.
/// </summary>
internal static partial class TorchSharpNative
{
    [LibraryImport(NativeLibraries.TorchSharp, EntryPoint = "THSTensor_data")]
    private static partial IntPtr TensorData(IntPtr tensor);

    /// <summary>The address of the first element of <paramref name="tensor"/> (CPU or CUDA).</summary>
    public static IntPtr DataPointer(torch.Tensor tensor)
    {
        var pointer = TensorData(tensor.Handle);
        if (pointer == IntPtr.Zero && tensor.numel() > 0) torch.CheckForErrors();
        return pointer;
    }
}
