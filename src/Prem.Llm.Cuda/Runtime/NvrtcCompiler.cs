using System.Runtime.InteropServices;
using System.Text;
using Prem.Llm.Native;

namespace Prem.Llm.Cuda.Runtime;

/// <summary>What NVRTC produced: a cubin for one architecture, the PTX it came from, and the log.</summary>
/// <param name="Cubin">Device code for <see cref="Architecture"/>, ready for cuModuleLoadData.</param>
/// <param name="Ptx">The intermediate PTX text.</param>
/// <param name="Log">NVRTC's program log (warnings, and ptxas's resource report when asked for).</param>
/// <param name="Architecture">Target, e.g. "sm_80" or "sm_90a".</param>
internal sealed record CompiledProgram(byte[] Cubin, string Ptx, string Log, string Architecture);

/// <summary>Compiles CUDA C++ with NVRTC for one architecture. Needs NVRTC, not a GPU.</summary>
internal static class NvrtcCompiler
{
    /// <summary>Options every compile gets: C++17, optimised device code, no debug info,
    /// and ptxas's per-kernel register/spill report in the log.</summary>
    public static IReadOnlyList<string> DefaultOptions { get; } = ["-std=c++17", "-default-device", "--ptxas-options=-v"];

    /// <summary>Compiles <paramref name="source"/> for <paramref name="architecture"/> ("sm_80", "sm_90a").</summary>
    /// <exception cref="CudaException">NVRTC is missing, or the source does not compile (the message holds the log).</exception>
    public static CompiledProgram Compile(string source, string name, string architecture, IReadOnlyList<string>? extraOptions = null)
    {
        if (!architecture.StartsWith("sm_", StringComparison.Ordinal))
            throw new CudaException($"Architecture '{architecture}' is not of the form sm_XY (e.g. sm_80, sm_90a).");
        var options = new List<string>(DefaultOptions) { $"--gpu-architecture={architecture}" };
        if (extraOptions is not null) options.AddRange(extraOptions);

        EnsureNvrtc();
        CudaCheck.Nvrtc(NvrtcApi.CreateProgram(out var program, source, name, 0, IntPtr.Zero, IntPtr.Zero), "nvrtcCreateProgram");
        var optionPointers = options.Select(o => Marshal.StringToCoTaskMemUTF8(o)).ToArray();
        try
        {
            var status = NvrtcApi.CompileProgram(program, optionPointers.Length, optionPointers);
            var log = ReadLog(program);
            if (status != 0)
                throw new CudaException($"NVRTC could not compile {name} for {architecture} ({CudaCheck.NvrtcErrorName(status)}):\n{log}",
                    status, CudaCheck.NvrtcErrorName(status));
            CudaCheck.Nvrtc(NvrtcApi.GetPtxSize(program, out var ptxSize), "nvrtcGetPTXSize");
            var ptx = new byte[(int)ptxSize];
            CudaCheck.Nvrtc(NvrtcApi.GetPtx(program, ptx), "nvrtcGetPTX");
            CudaCheck.Nvrtc(NvrtcApi.GetCubinSize(program, out var cubinSize), "nvrtcGetCUBINSize");
            var cubin = new byte[(int)cubinSize];
            CudaCheck.Nvrtc(NvrtcApi.GetCubin(program, cubin), "nvrtcGetCUBIN");
            return new CompiledProgram(cubin, Encoding.UTF8.GetString(ptx).TrimEnd('\0'), log, architecture);
        }
        finally
        {
            foreach (var pointer in optionPointers) Marshal.FreeCoTaskMem(pointer);
            NvrtcApi.DestroyProgram(ref program);
        }
    }

    /// <summary>The NVRTC version as "major.minor".</summary>
    public static string Version()
    {
        EnsureNvrtc();
        CudaCheck.Nvrtc(NvrtcApi.Version(out var major, out var minor), "nvrtcVersion");
        return $"{major}.{minor}";
    }

    static void EnsureNvrtc()
    {
        var (_, error) = CudaAvailability.ProbeNvrtc();
        if (error is not null) throw new CudaException("CUDA unavailable: " + error);
    }

    static string ReadLog(IntPtr program)
    {
        CudaCheck.Nvrtc(NvrtcApi.GetProgramLogSize(program, out var size), "nvrtcGetProgramLogSize");
        var log = new byte[(int)size];
        CudaCheck.Nvrtc(NvrtcApi.GetProgramLog(program, log), "nvrtcGetProgramLog");
        return Encoding.UTF8.GetString(log).TrimEnd('\0', '\n');
    }
}
