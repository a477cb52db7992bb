using System.Runtime.InteropServices;

namespace Prem.Llm.Native;

/// <summary>
/// Finds NVRTC (libnvrtc) at run time for <see cref="NativeLibraries"/>. No NuGet package ships it,
/// and it lives in many places (CUDA toolkits, pip wheels, our CI's unpacked Debian packages).
/// </summary>
internal static class NvrtcLocator
{
    /// <summary>Environment variable naming an NVRTC library file or the folder that holds it.</summary>
    public const string NvrtcPathVariable = "PREM_NVRTC_PATH";

    // NVRTC dlopens libnvrtc-builtins by its bare soname. From a folder that is not on the loader's
    // path (pip wheels, our .tools copy) that fails unless the builtins beside it are loaded first:
    // the loader then matches the soname to the library already in the process.
    /// <summary>Loads the libnvrtc-builtins files beside <paramref name="nvrtcPath"/>, if any.</summary>
    public static void PreloadBuiltins(string nvrtcPath)
    {
        var folder = Path.GetDirectoryName(nvrtcPath);
        if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder)) return;
        foreach (var builtins in Directory.EnumerateFiles(folder, "libnvrtc-builtins.so*").Order(StringComparer.Ordinal))
            NativeLibrary.TryLoad(builtins, out _);
    }

    /// <summary>NVRTC files tried, in order: <c>PREM_NVRTC_PATH</c>, <c>CUDA_PATH</c>, /usr/local/cuda*,
    /// pip's nvidia/*/lib folders, the repository's <c>.tools/nvrtc</c>, then the loader's default search.</summary>
    public static IEnumerable<string> NvrtcCandidates()
    {
        var explicitPath = Environment.GetEnvironmentVariable(NvrtcPathVariable);
        if (!string.IsNullOrEmpty(explicitPath))
        {
            if (File.Exists(explicitPath)) yield return explicitPath;
            else foreach (var file in NvrtcFilesIn(explicitPath)) yield return file;
        }
        foreach (var folder in NvrtcFolders())
            foreach (var file in NvrtcFilesIn(folder))
                yield return file;
        foreach (var bare in new[] { "libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2" })
            yield return bare;
    }

    /// <summary>Folders that may hold NVRTC, most specific first.</summary>
    public static IEnumerable<string> NvrtcFolders()
    {
        var cudaPath = Environment.GetEnvironmentVariable("CUDA_PATH");
        if (!string.IsNullOrEmpty(cudaPath))
        {
            yield return Path.Combine(cudaPath, "lib64");
            yield return Path.Combine(cudaPath, "lib");
        }
        foreach (var toolkit in SafeDirectories("/usr/local", "cuda*").OrderByDescending(d => d, StringComparer.Ordinal))
            yield return Path.Combine(toolkit, "lib64");
        foreach (var sitePackages in PythonSitePackages())
            foreach (var lib in SafeDirectories(Path.Combine(sitePackages, "nvidia"), "*"))
                yield return Path.Combine(lib, "lib");
        var tools = FindRepositoryTools(AppContext.BaseDirectory);
        if (tools is not null) yield return tools;
    }

    /// <summary>NVRTC library files in <paramref name="folder"/>, newest major version first; the
    /// builtins helper library is not NVRTC itself and is left out.</summary>
    public static IEnumerable<string> NvrtcFilesIn(string folder)
    {
        if (!Directory.Exists(folder)) return [];
        return Directory.EnumerateFiles(folder, "libnvrtc.so*")
            .Where(f => !Path.GetFileName(f).Contains("builtins", StringComparison.Ordinal))
            .OrderByDescending(f => Path.GetFileName(f).Length == "libnvrtc.so".Length ? "" : Path.GetFileName(f), StringComparer.Ordinal);
    }

    /// <summary>Walks up from <paramref name="start"/> to the first folder holding
    /// <c>.tools/nvrtc</c> (where build/install-nvrtc.sh unpacks NVRTC) and returns its library folder.</summary>
    public static string? FindRepositoryTools(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var lib = Path.Combine(dir.FullName, ".tools", "nvrtc", "usr", "lib", "x86_64-linux-gnu");
            if (Directory.Exists(lib)) return lib;
        }
        return null;
    }

    static IEnumerable<string> PythonSitePackages()
    {
        var roots = new List<string> { "/usr/lib", "/usr/local/lib" };
        var home = Environment.GetEnvironmentVariable("HOME");
        if (!string.IsNullOrEmpty(home)) roots.Add(Path.Combine(home, ".local", "lib"));
        foreach (var variable in new[] { "VIRTUAL_ENV", "CONDA_PREFIX" })
        {
            var prefix = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrEmpty(prefix)) roots.Add(Path.Combine(prefix, "lib"));
        }
        foreach (var root in roots)
            foreach (var python in SafeDirectories(root, "python3*"))
                foreach (var kind in new[] { "site-packages", "dist-packages" })
                    yield return Path.Combine(python, kind);
    }

    static IEnumerable<string> SafeDirectories(string folder, string pattern)
    {
        try
        {
            return Directory.Exists(folder) ? Directory.GetDirectories(folder, pattern) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
