using System.Runtime.InteropServices;
using TorchSharp;

namespace Prem.Llm.Cuda.Interop;

/// <summary>
/// The data address of a TorchSharp tensor. TorchSharp exposes no data_ptr(); its native library
/// (already loaded by TorchSharp, found by the default probing) exports THSTensor_data, which returns
/// at::Tensor::data_ptr() (storage offset included) for CPU and CUDA tensors alike.
/// </summary>
internal static partial class TorchSharpNative
{
    [LibraryImport("LibTorchSharp", EntryPoint = "THSTensor_data")]
    private static partial IntPtr TensorData(IntPtr tensor);

    /// <summary>The address of the tensor's first element.</summary>
    public static ulong DataPointer(torch.Tensor tensor) => (ulong)TensorData(tensor.Handle);
}
