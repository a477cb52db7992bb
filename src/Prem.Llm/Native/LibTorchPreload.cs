using System.Runtime.InteropServices;

namespace Prem.Llm.Native;

/// <summary>
/// Loads a LibTorch that lives outside the application (a CUDA LibTorch, or PyTorch's <c>torch/lib</c>) by full
/// path, dependencies first, before TorchSharp's own probing runs: TorchSharp then loads <c>torch_cuda</c> and
/// <c>LibTorchSharp</c> by name, and the dynamic loader resolves their dependencies to the libraries already
/// loaded under the same sonames instead of searching for others.
/// </summary>
internal static class LibTorchPreload
{
    /// <summary>Dependency order of LibTorch's shared libraries (each needs the ones before it); absent ones are skipped.</summary>
    public static readonly string[] Libraries = ["libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so"];

    /// <summary>Loads the libraries of <paramref name="folder"/>; returns the files loaded.</summary>
    /// <exception cref="DllNotFoundException">A library is present but cannot be loaded (the loader's message).</exception>
    public static List<string> Load(string folder)
    {
        var loaded = new List<string>();
        foreach (string name in Libraries)
        {
            string path = Path.Combine(folder, name);
            if (!File.Exists(path)) continue;
            NativeLibrary.Load(path);
            loaded.Add(name);
        }
        return loaded;
    }
}
