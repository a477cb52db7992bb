using System.Runtime.InteropServices;

namespace Prem.Llm.Native;

/// <summary>The CUDA driver API entry points we use (the _v2 names are the current ABI): Prem.Llm.Cuda's
/// runtime (modules, kernels, memory) and the NCCL communicator (the rank's GPU in libtorch's primary
/// context, the legacy default stream TorchSharp runs on). Status 0 is CUDA_SUCCESS; the callers turn
/// the rest into named errors with <see cref="GetErrorName"/>.</summary>
internal static partial class CudaDriverApi
{
    static CudaDriverApi() => NativeLibraries.EnsureRegistered();

    /// <summary>CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR.</summary>
    public const int AttributeComputeCapabilityMajor = 75;
    /// <summary>CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR.</summary>
    public const int AttributeComputeCapabilityMinor = 76;
    /// <summary>CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT.</summary>
    public const int AttributeMultiprocessorCount = 16;
    /// <summary>CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES.</summary>
    public const int FunctionAttributeMaxDynamicSharedBytes = 8;
    /// <summary>CU_FUNC_ATTRIBUTE_NUM_REGS.</summary>
    public const int FunctionAttributeNumRegs = 4;
    /// <summary>CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES (spills land in local memory).</summary>
    public const int FunctionAttributeLocalSizeBytes = 3;

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuInit")]
    public static partial int Init(uint flags);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuGetErrorName")]
    public static partial int GetErrorName(int error, out IntPtr name);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuDriverGetVersion")]
    public static partial int DriverGetVersion(out int version);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuDeviceGetCount")]
    public static partial int DeviceGetCount(out int count);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuDeviceGet")]
    public static partial int DeviceGet(out int device, int ordinal);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuDeviceGetName")]
    public static partial int DeviceGetName(byte[] name, int length, int device);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuDeviceGetAttribute")]
    public static partial int DeviceGetAttribute(out int value, int attribute, int device);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuDevicePrimaryCtxRetain")]
    public static partial int DevicePrimaryCtxRetain(out IntPtr context, int device);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuDevicePrimaryCtxRelease_v2")]
    public static partial int DevicePrimaryCtxRelease(int device);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuCtxSetCurrent")]
    public static partial int CtxSetCurrent(IntPtr context);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuStreamSynchronize")]
    public static partial int StreamSynchronize(IntPtr stream);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuCtxSynchronize")]
    public static partial int CtxSynchronize();

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuModuleLoadData")]
    public static partial int ModuleLoadData(out CudaModuleHandle module, byte[] image);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuModuleUnload")]
    public static partial int ModuleUnload(IntPtr module);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuModuleGetFunction", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ModuleGetFunction(out IntPtr function, CudaModuleHandle module, string name);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuFuncSetAttribute")]
    public static partial int FuncSetAttribute(IntPtr function, int attribute, int value);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuFuncGetAttribute")]
    public static partial int FuncGetAttribute(out int value, int attribute, IntPtr function);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuLaunchKernel")]
    public static unsafe partial int LaunchKernel(IntPtr function, uint gridX, uint gridY, uint gridZ,
        uint blockX, uint blockY, uint blockZ, uint sharedBytes, IntPtr stream, void** parameters, void** extra);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuMemAlloc_v2")]
    public static partial int MemAlloc(out ulong pointer, nuint bytes);

    /// <summary>Free and total bytes of the current context's device (everything every process holds counts as used).</summary>
    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuMemGetInfo_v2")]
    public static partial int MemGetInfo(out nuint free, out nuint total);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuMemFree_v2")]
    public static partial int MemFree(ulong pointer);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuMemcpyHtoD_v2")]
    public static unsafe partial int MemcpyHtoD(ulong destination, void* source, nuint bytes);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuMemcpyDtoH_v2")]
    public static unsafe partial int MemcpyDtoH(void* destination, ulong source, nuint bytes);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuMemsetD8_v2")]
    public static partial int MemsetD8(ulong pointer, byte value, nuint count);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuEventCreate")]
    public static partial int EventCreate(out IntPtr evt, uint flags);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuEventRecord")]
    public static partial int EventRecord(IntPtr evt, IntPtr stream);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuEventSynchronize")]
    public static partial int EventSynchronize(IntPtr evt);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuEventElapsedTime")]
    public static partial int EventElapsedTime(out float milliseconds, IntPtr start, IntPtr end);

    [LibraryImport(NativeLibraries.CudaDriver, EntryPoint = "cuEventDestroy_v2")]
    public static partial int EventDestroy(IntPtr evt);
}
