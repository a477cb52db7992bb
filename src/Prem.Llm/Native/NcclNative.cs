using System.Runtime.InteropServices;

namespace Prem.Llm.Native;

/// <summary>
/// The NCCL functions (libnccl.so.2) the NCCL communicator calls; its CUDA driver calls are in
/// <see cref="CudaDriverApi"/>. Enum values are nccl.h's.
/// </summary>
internal static unsafe partial class NcclNative
{
    public const int Success = 0;
    public const int UniqueIdBytes = 128;

    // ncclDataType_t
    public const int Uint8 = 1;
    public const int Float16 = 6;
    public const int Float32 = 7;
    public const int Float64 = 8;
    public const int BFloat16 = 9;

    // ncclRedOp_t
    public const int Sum = 0;
    public const int Max = 2;
    public const int Min = 3;

    /// <summary>ncclUniqueId: an opaque 128-byte struct passed by value.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct UniqueId
    {
        public fixed byte Internal[UniqueIdBytes];
    }

    [LibraryImport(NativeLibraries.Nccl, EntryPoint = "ncclGetUniqueId")]
    public static partial int GetUniqueId(out UniqueId id);

    [LibraryImport(NativeLibraries.Nccl, EntryPoint = "ncclCommInitRank")]
    public static partial int CommInitRank(out NcclCommHandle comm, int size, UniqueId id, int rank);

    [LibraryImport(NativeLibraries.Nccl, EntryPoint = "ncclCommDestroy")]
    public static partial int CommDestroy(IntPtr comm);

    [LibraryImport(NativeLibraries.Nccl, EntryPoint = "ncclCommAbort")]
    public static partial int CommAbort(NcclCommHandle comm);

    [LibraryImport(NativeLibraries.Nccl, EntryPoint = "ncclCommGetAsyncError")]
    public static partial int CommGetAsyncError(NcclCommHandle comm, out int asyncError);

    [LibraryImport(NativeLibraries.Nccl, EntryPoint = "ncclAllReduce")]
    public static partial int AllReduce(IntPtr send, IntPtr receive, nuint count, int datatype, int op, NcclCommHandle comm, IntPtr stream);

    [LibraryImport(NativeLibraries.Nccl, EntryPoint = "ncclBroadcast")]
    public static partial int Broadcast(IntPtr send, IntPtr receive, nuint count, int datatype, int root, NcclCommHandle comm, IntPtr stream);

    [LibraryImport(NativeLibraries.Nccl, EntryPoint = "ncclGetErrorString")]
    public static partial IntPtr GetErrorString(int result);

    /// <summary>NCCL's text for <paramref name="result"/>.</summary>
    public static string Describe(int result) => $"{Marshal.PtrToStringUTF8(GetErrorString(result)) ?? "unknown"} (ncclResult {result})";
}
