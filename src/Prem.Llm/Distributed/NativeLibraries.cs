using System.Reflection;
using System.Runtime.InteropServices;

namespace Prem.Llm.Distributed;

/// <summary>
/// Maps the logical library names of the distributed P/Invoke declarations to the file loaded at run
/// time. MPI is a different file for each implementation (libmpi.so.40 for Open MPI, libmpich.so.12
/// or libmpi.so.12 for MPICH and its derivatives), so the binding cannot name one at compile time;
/// the communicator loads the right one and registers its handle here.
/// </summary>
internal static class NativeLibraries
{
    /// <summary>Logical name of the MPI library in <c>LibraryImport</c>.</summary>
    public const string Mpi = "prem_mpi";

    /// <summary>Logical name of NCCL in <c>LibraryImport</c>.</summary>
    public const string Nccl = "prem_nccl";

    /// <summary>Logical name of the CUDA driver (libcuda.so.1) in <c>LibraryImport</c>.</summary>
    public const string CudaDriver = "prem_cuda_driver";

    private static readonly object Gate = new();
    private static readonly Dictionary<string, IntPtr> Handles = new(StringComparer.Ordinal);
    private static bool _registered;

    /// <summary>Makes <paramref name="logicalName"/> resolve to the loaded <paramref name="handle"/>.</summary>
    public static void Register(string logicalName, IntPtr handle)
    {
        lock (Gate)
        {
            if (!_registered)
            {
                NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
                _registered = true;
            }
            Handles[logicalName] = handle;
        }
    }

    /// <summary>The handle registered for <paramref name="logicalName"/>, if any.</summary>
    public static bool TryGet(string logicalName, out IntPtr handle)
    {
        lock (Gate) return Handles.TryGetValue(logicalName, out handle);
    }

    /// <summary>Loads the first of <paramref name="candidates"/> that the dynamic loader finds.</summary>
    public static bool TryLoadFirst(IEnumerable<string> candidates, out IntPtr handle, out string? loaded, List<string> errors)
    {
        foreach (var candidate in candidates)
        {
            try
            {
                handle = NativeLibrary.Load(candidate);
                loaded = candidate;
                return true;
            }
            catch (DllNotFoundException e)
            {
                errors.Add($"{candidate}: {FirstLine(e.Message)}");
            }
        }
        handle = IntPtr.Zero;
        loaded = null;
        return false;
    }

    private static string FirstLine(string text)
    {
        int newline = text.IndexOf('\n');
        return newline < 0 ? text : text[..newline].TrimEnd();
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        // Other names (LibTorchSharp) fall through to the default probing.
        lock (Gate) return Handles.TryGetValue(name, out var handle) ? handle : IntPtr.Zero;
    }
}
