using System.Runtime.InteropServices;

namespace Prem.Llm.Native;

/// <summary>
/// The MPI functions the MPI communicator calls, bound to whichever libmpi it loaded (see
/// <see cref="NativeLibraries"/>). Handles are <see cref="IntPtr"/>; the communicator's MpiHandles
/// says why that is right for both ABI families. All return an MPI error code.
/// </summary>
internal static unsafe partial class MpiNative
{
    public const int Success = 0;
    public const int ThreadMultiple = 3;
    public const int MaxErrorString = 1024;

    [LibraryImport(NativeLibraries.Mpi, EntryPoint = "MPI_Initialized")]
    public static partial int Initialized(out int flag);

    [LibraryImport(NativeLibraries.Mpi, EntryPoint = "MPI_Finalized")]
    public static partial int Finalized(out int flag);

    [LibraryImport(NativeLibraries.Mpi, EntryPoint = "MPI_Init_thread")]
    public static partial int InitThread(IntPtr argc, IntPtr argv, int required, out int provided);

    [LibraryImport(NativeLibraries.Mpi, EntryPoint = "MPI_Finalize")]
    public static partial int Finalize();

    [LibraryImport(NativeLibraries.Mpi, EntryPoint = "MPI_Comm_rank")]
    public static partial int CommRank(IntPtr comm, out int rank);

    [LibraryImport(NativeLibraries.Mpi, EntryPoint = "MPI_Comm_size")]
    public static partial int CommSize(IntPtr comm, out int size);

    [LibraryImport(NativeLibraries.Mpi, EntryPoint = "MPI_Comm_set_errhandler")]
    public static partial int CommSetErrhandler(IntPtr comm, IntPtr errhandler);

    [LibraryImport(NativeLibraries.Mpi, EntryPoint = "MPI_Allreduce")]
    public static partial int Allreduce(void* sendBuffer, void* receiveBuffer, int count, IntPtr datatype, IntPtr op, IntPtr comm);

    [LibraryImport(NativeLibraries.Mpi, EntryPoint = "MPI_Bcast")]
    public static partial int Bcast(void* buffer, int count, IntPtr datatype, int root, IntPtr comm);

    [LibraryImport(NativeLibraries.Mpi, EntryPoint = "MPI_Barrier")]
    public static partial int Barrier(IntPtr comm);

    [LibraryImport(NativeLibraries.Mpi, EntryPoint = "MPI_Abort")]
    public static partial int Abort(IntPtr comm, int errorCode);

    [LibraryImport(NativeLibraries.Mpi, EntryPoint = "MPI_Error_string")]
    public static partial int ErrorString(int errorCode, byte* text, out int length);

    /// <summary>MPI's text for <paramref name="code"/>, or the number when MPI cannot say.</summary>
    public static string Describe(int code)
    {
        var text = stackalloc byte[MaxErrorString];
        return ErrorString(code, text, out int length) == Success && length > 0
            ? $"{System.Text.Encoding.UTF8.GetString(text, Math.Min(length, MaxErrorString))} (code {code})"
            : $"MPI error code {code}";
    }
}
