using System.Reflection;
using System.Runtime.InteropServices;

namespace Prem.Llm.Native;

/// <summary>
/// The one resolver for every <c>LibraryImport</c> of the library: maps the logical names below to the
/// file loaded at run time. MPI is a different file for each implementation (libmpi.so.40 for Open MPI,
/// libmpich.so.12 or libmpi.so.12 for MPICH and its derivatives) and NCCL may be named by the
/// launcher, so their communicators load the right file and register its handle here; the CUDA driver
/// and NVRTC are found by their candidate lists (<see cref="DriverCandidates"/>,
/// <see cref="NvrtcLocator"/>) unless a handle was registered first. LibTorchSharp falls through to
/// the default probing (TorchSharp has already loaded it).
/// </summary>
internal static class NativeLibraries
{
    /// <summary>Logical name of the MPI library in <c>LibraryImport</c>.</summary>
    public const string Mpi = "prem_mpi";

    /// <summary>Logical name of NCCL in <c>LibraryImport</c>.</summary>
    public const string Nccl = "prem_nccl";

    /// <summary>Logical name of the CUDA driver API (libcuda.so.1) in <c>LibraryImport</c>.</summary>
    public const string CudaDriver = "prem_cuda";

    /// <summary>Logical name of NVRTC in <c>LibraryImport</c>.</summary>
    public const string Nvrtc = "prem_nvrtc";

    /// <summary>Name of the CPU engine's kernel library (libprem_cpu_kernels.so next to Prem.Llm; see <see cref="NativeCpuKernels"/>).</summary>
    public const string CpuKernels = "prem_cpu_kernels";

    /// <summary>Logical name of TorchSharp's native library (found by the default probing).</summary>
    public const string TorchSharp = "LibTorchSharp";

    private static readonly object _gate = new();
    private static readonly Dictionary<string, IntPtr> _handles = new(StringComparer.Ordinal);
    private static bool _registered;

    /// <summary>Installs the resolver for this assembly once; later calls do nothing.</summary>
    public static void EnsureRegistered()
    {
        lock (_gate)
        {
            if (_registered) return;
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
            _registered = true;
        }
    }

    /// <summary>Makes <paramref name="logicalName"/> resolve to the loaded <paramref name="handle"/>.</summary>
    public static void Register(string logicalName, IntPtr handle)
    {
        EnsureRegistered();
        lock (_gate) _handles[logicalName] = handle;
    }

    /// <summary>The handle registered for <paramref name="logicalName"/>, if any.</summary>
    public static bool TryGet(string logicalName, out IntPtr handle)
    {
        lock (_gate) return _handles.TryGetValue(logicalName, out handle);
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

    /// <summary>Names tried for the driver, in order: the driver ships with the GPU's kernel module,
    /// so the loader's default search is the right one.</summary>
    public static IEnumerable<string> DriverCandidates() =>
        OperatingSystem.IsWindows() ? ["nvcuda.dll"] : ["libcuda.so.1", "libcuda.so"];

    private static string FirstLine(string text)
    {
        int newline = text.IndexOf('\n');
        return newline < 0 ? text : text[..newline].TrimEnd();
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (TryGet(name, out var registered)) return registered;
        IEnumerable<string> candidates = name switch
        {
            CudaDriver => DriverCandidates(),
            Nvrtc => NvrtcLocator.NvrtcCandidates(),
            _ => [],
        };
        foreach (var candidate in candidates)
        {
            if (name == Nvrtc) NvrtcLocator.PreloadBuiltins(candidate);
            if (NativeLibrary.TryLoad(candidate, out var handle)) return handle;
        }
        // Other names (LibTorchSharp) fall through to the default probing.
        return IntPtr.Zero;
    }
}
