using Prem.Llm.Native;

namespace Prem.Llm.Cuda.Runtime;

/// <summary>One kernel of a <see cref="CudaModule"/>, launched with a single by-value struct argument.</summary>
internal sealed class CudaKernel
{
    readonly IntPtr _function;
    uint _sharedLimit = 48 * 1024;

    internal CudaKernel(string name, IntPtr function)
    {
        Name = name;
        _function = function;
    }

    /// <summary>The kernel's name.</summary>
    public string Name { get; }

    /// <summary>Registers per thread and local (spill) bytes per thread, as the driver reports them.</summary>
    public (int Registers, int LocalBytes) Resources
    {
        get
        {
            CudaCheck.Driver(CudaDriverApi.FuncGetAttribute(out var registers, CudaDriverApi.FunctionAttributeNumRegs, _function), "cuFuncGetAttribute");
            CudaCheck.Driver(CudaDriverApi.FuncGetAttribute(out var local, CudaDriverApi.FunctionAttributeLocalSizeBytes, _function), "cuFuncGetAttribute");
            return (registers, local);
        }
    }

    /// <summary>Launches the kernel on <paramref name="stream"/> (0 = the legacy default stream,
    /// which TorchSharp uses) with <paramref name="argument"/> as its only parameter.</summary>
    /// <param name="grid">Blocks in x, y, z.</param>
    /// <param name="block">Threads per block in x (y = z = 1).</param>
    /// <param name="sharedBytes">Dynamic shared memory per block, in bytes.</param>
    /// <param name="argument">The kernel's single parameter (a params struct).</param>
    /// <param name="stream">The CUDA stream.</param>
    public unsafe void Launch<T>((uint X, uint Y, uint Z) grid, uint block, uint sharedBytes, ref T argument, IntPtr stream) where T : unmanaged
    {
        // Above 48 KiB, dynamic shared memory has to be allowed per kernel first.
        if (sharedBytes > _sharedLimit)
        {
            CudaCheck.Driver(CudaDriverApi.FuncSetAttribute(_function, CudaDriverApi.FunctionAttributeMaxDynamicSharedBytes, (int)sharedBytes),
                $"cuFuncSetAttribute({Name}, max dynamic shared memory {sharedBytes})");
            _sharedLimit = sharedBytes;
        }
        fixed (T* pointer = &argument)
        {
            void* parameter = pointer;
            CudaCheck.Driver(CudaDriverApi.LaunchKernel(_function, grid.X, grid.Y, grid.Z,
                block, 1, 1, sharedBytes, stream, &parameter, null), $"cuLaunchKernel({Name})");
        }
    }
}
