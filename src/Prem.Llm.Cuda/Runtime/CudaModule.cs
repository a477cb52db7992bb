using Prem.Llm.Native;

namespace Prem.Llm.Cuda.Runtime;

/// <summary>A loaded module (compiled program) and the kernels in it.</summary>
internal sealed class CudaModule : IDisposable
{
    readonly CudaModuleHandle _module;
    readonly Dictionary<string, CudaKernel> _kernels = new(StringComparer.Ordinal);

    internal CudaModule(CudaModuleHandle module) => _module = module;

    /// <summary>The kernel named <paramref name="name"/> (its extern "C" name).</summary>
    public CudaKernel GetKernel(string name)
    {
        ObjectDisposedException.ThrowIf(_module.IsClosed, this);
        lock (_kernels)
        {
            if (_kernels.TryGetValue(name, out var kernel)) return kernel;
            CudaCheck.Driver(CudaDriverApi.ModuleGetFunction(out var function, _module, name), $"cuModuleGetFunction({name})");
            return _kernels[name] = new CudaKernel(name, function);
        }
    }

    /// <summary>Unloads the module.</summary>
    public void Dispose() => _module.Dispose();
}
