using System.Runtime.InteropServices;

namespace Prem.Llm.Cuda.Interop;

/// <summary>The NVRTC entry points we use (CUDA run-time compilation). Status 0 is success.</summary>
internal static partial class NvrtcApi
{
    static NvrtcApi() => NativeLibraryLocator.EnsureRegistered();

    [LibraryImport(NativeLibraryLocator.Nvrtc, EntryPoint = "nvrtcVersion")]
    public static partial int Version(out int major, out int minor);

    [LibraryImport(NativeLibraryLocator.Nvrtc, EntryPoint = "nvrtcGetErrorString")]
    public static partial IntPtr GetErrorString(int result);

    [LibraryImport(NativeLibraryLocator.Nvrtc, EntryPoint = "nvrtcCreateProgram", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int CreateProgram(out IntPtr program, string source, string name, int numHeaders, IntPtr headers, IntPtr includeNames);

    [LibraryImport(NativeLibraryLocator.Nvrtc, EntryPoint = "nvrtcDestroyProgram")]
    public static partial int DestroyProgram(ref IntPtr program);

    [LibraryImport(NativeLibraryLocator.Nvrtc, EntryPoint = "nvrtcCompileProgram")]
    public static partial int CompileProgram(IntPtr program, int numOptions, IntPtr[] options);

    [LibraryImport(NativeLibraryLocator.Nvrtc, EntryPoint = "nvrtcGetProgramLogSize")]
    public static partial int GetProgramLogSize(IntPtr program, out nuint size);

    [LibraryImport(NativeLibraryLocator.Nvrtc, EntryPoint = "nvrtcGetProgramLog")]
    public static partial int GetProgramLog(IntPtr program, byte[] log);

    [LibraryImport(NativeLibraryLocator.Nvrtc, EntryPoint = "nvrtcGetPTXSize")]
    public static partial int GetPtxSize(IntPtr program, out nuint size);

    [LibraryImport(NativeLibraryLocator.Nvrtc, EntryPoint = "nvrtcGetPTX")]
    public static partial int GetPtx(IntPtr program, byte[] ptx);

    [LibraryImport(NativeLibraryLocator.Nvrtc, EntryPoint = "nvrtcGetCUBINSize")]
    public static partial int GetCubinSize(IntPtr program, out nuint size);

    [LibraryImport(NativeLibraryLocator.Nvrtc, EntryPoint = "nvrtcGetCUBIN")]
    public static partial int GetCubin(IntPtr program, byte[] cubin);
}
