using Prem.Llm.Cuda.Attention;
using Prem.Llm.Cuda.Interop;

namespace Prem.Llm.Cuda.Runtime;

/// <summary>One kernel of a <see cref="CudaModule"/>, launched with a single by-value struct argument.</summary>
public sealed class CudaKernel
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
    public unsafe void Launch<T>(LaunchGeometry geometry, ref T argument, IntPtr stream) where T : unmanaged
    {
        // Above 48 KiB, dynamic shared memory has to be allowed per kernel first.
        if (geometry.SharedBytes > _sharedLimit)
        {
            CudaCheck.Driver(CudaDriverApi.FuncSetAttribute(_function, CudaDriverApi.FunctionAttributeMaxDynamicSharedBytes, (int)geometry.SharedBytes),
                $"cuFuncSetAttribute({Name}, max dynamic shared memory {geometry.SharedBytes})");
            _sharedLimit = geometry.SharedBytes;
        }
        fixed (T* pointer = &argument)
        {
            void* parameter = pointer;
            CudaCheck.Driver(CudaDriverApi.LaunchKernel(_function, geometry.Grid.X, geometry.Grid.Y, geometry.Grid.Z,
                geometry.Block, 1, 1, geometry.SharedBytes, stream, &parameter, null), $"cuLaunchKernel({Name})");
        }
    }
}
