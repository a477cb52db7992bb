namespace Prem.Llm.Cuda.Runtime;

/// <summary>
/// Compiled kernels on disk, keyed by (source hash, architecture, options, NVRTC version), so NVRTC
/// runs once per machine and kernel version rather than once per process.
/// </summary>
public sealed class KernelCache
{
    /// <summary>Environment variable that overrides the cache folder.</summary>
    public const string FolderVariable = "PREM_CUDA_CACHE";

    /// <summary>Creates a cache over <paramref name="folder"/> (created on first write).</summary>
    public KernelCache(string folder) => Folder = folder;

    /// <summary>The cache folder.</summary>
    public string Folder { get; }

    /// <summary>The default cache: <c>PREM_CUDA_CACHE</c>, else the user's cache folder
    /// (XDG_CACHE_HOME or ~/.cache) under prem-llm/cuda.</summary>
    public static KernelCache Default
    {
        get
        {
            var folder = Environment.GetEnvironmentVariable(FolderVariable);
            if (string.IsNullOrEmpty(folder))
            {
                var cacheHome = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
                if (string.IsNullOrEmpty(cacheHome))
                    cacheHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
                folder = Path.Combine(cacheHome, "prem-llm", "cuda");
            }
            return new KernelCache(folder);
        }
    }

    /// <summary>The cache key of one compile: a hash over everything that changes its output.</summary>
    public static string Key(string source, string architecture, IReadOnlyList<string> options, string nvrtcVersion) =>
        KernelSource.Hash(string.Join("\n", [KernelSource.Hash(source), architecture, string.Join(" ", options), nvrtcVersion]));

    /// <summary>Returns the cached cubin for the compile, compiling (and storing) it on a miss.</summary>
    public byte[] GetOrCompile(string source, string name, string architecture, IReadOnlyList<string>? extraOptions = null)
    {
        var options = extraOptions ?? [];
        var path = Path.Combine(Folder, $"{name}-{architecture}-{Key(source, architecture, options, NvrtcCompiler.Version())}.cubin");
        if (File.Exists(path)) return File.ReadAllBytes(path);
        var program = NvrtcCompiler.Compile(source, name, architecture, options);
        Store(path, program.Cubin);
        return program.Cubin;
    }

    // Write to a temporary file and rename, so a concurrent reader never sees half a cubin.
    static void Store(string path, byte[] cubin)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + "." + Environment.ProcessId + ".tmp";
            File.WriteAllBytes(temporary, cubin);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only or full cache only costs a recompile next time.
        }
    }
}
