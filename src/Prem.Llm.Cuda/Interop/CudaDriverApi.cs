using System.Runtime.InteropServices;

namespace Prem.Llm.Cuda.Interop;

/// <summary>The CUDA driver API entry points we use (the _v2 names are the current ABI). Status 0 is
/// CUDA_SUCCESS; <see cref="Runtime.CudaException"/> turns the rest into named errors.</summary>
internal static partial class CudaDriverApi
{
    static CudaDriverApi() => NativeLibraryLocator.EnsureRegistered();

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

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuInit")]
    public static partial int Init(uint flags);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuGetErrorName")]
    public static partial int GetErrorName(int error, out IntPtr name);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuDriverGetVersion")]
    public static partial int DriverGetVersion(out int version);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuDeviceGetCount")]
    public static partial int DeviceGetCount(out int count);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuDeviceGet")]
    public static partial int DeviceGet(out int device, int ordinal);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuDeviceGetName")]
    public static partial int DeviceGetName(byte[] name, int length, int device);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuDeviceGetAttribute")]
    public static partial int DeviceGetAttribute(out int value, int attribute, int device);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuDevicePrimaryCtxRetain")]
    public static partial int DevicePrimaryCtxRetain(out IntPtr context, int device);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuDevicePrimaryCtxRelease_v2")]
    public static partial int DevicePrimaryCtxRelease(int device);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuCtxSetCurrent")]
    public static partial int CtxSetCurrent(IntPtr context);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuCtxSynchronize")]
    public static partial int CtxSynchronize();

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuModuleLoadData")]
    public static partial int ModuleLoadData(out IntPtr module, byte[] image);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuModuleUnload")]
    public static partial int ModuleUnload(IntPtr module);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuModuleGetFunction", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ModuleGetFunction(out IntPtr function, IntPtr module, string name);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuFuncSetAttribute")]
    public static partial int FuncSetAttribute(IntPtr function, int attribute, int value);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuFuncGetAttribute")]
    public static partial int FuncGetAttribute(out int value, int attribute, IntPtr function);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuLaunchKernel")]
    public static unsafe partial int LaunchKernel(IntPtr function, uint gridX, uint gridY, uint gridZ,
        uint blockX, uint blockY, uint blockZ, uint sharedBytes, IntPtr stream, void** parameters, void** extra);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuMemAlloc_v2")]
    public static partial int MemAlloc(out ulong pointer, nuint bytes);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuMemFree_v2")]
    public static partial int MemFree(ulong pointer);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuMemcpyHtoD_v2")]
    public static unsafe partial int MemcpyHtoD(ulong destination, void* source, nuint bytes);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuMemcpyDtoH_v2")]
    public static unsafe partial int MemcpyDtoH(void* destination, ulong source, nuint bytes);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuMemsetD8_v2")]
    public static partial int MemsetD8(ulong pointer, byte value, nuint count);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuEventCreate")]
    public static partial int EventCreate(out IntPtr evt, uint flags);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuEventRecord")]
    public static partial int EventRecord(IntPtr evt, IntPtr stream);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuEventSynchronize")]
    public static partial int EventSynchronize(IntPtr evt);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuEventElapsedTime")]
    public static partial int EventElapsedTime(out float milliseconds, IntPtr start, IntPtr end);

    [LibraryImport(NativeLibraryLocator.Driver, EntryPoint = "cuEventDestroy_v2")]
    public static partial int EventDestroy(IntPtr evt);
}
