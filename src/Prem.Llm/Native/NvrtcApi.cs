using System.Runtime.InteropServices;

namespace Prem.Llm.Native;

/// <summary>The NVRTC entry points we use (CUDA run-time compilation). Status 0 is success.</summary>
internal static partial class NvrtcApi
{
    static NvrtcApi() => NativeLibraries.EnsureRegistered();

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcVersion")]
    public static partial int Version(out int major, out int minor);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetErrorString")]
    public static partial IntPtr GetErrorString(int result);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcCreateProgram", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int CreateProgram(out IntPtr program, string source, string name, int numHeaders, IntPtr headers, IntPtr includeNames);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcDestroyProgram")]
    public static partial int DestroyProgram(ref IntPtr program);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcCompileProgram")]
    public static partial int CompileProgram(IntPtr program, int numOptions, IntPtr[] options);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetProgramLogSize")]
    public static partial int GetProgramLogSize(IntPtr program, out nuint size);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetProgramLog")]
    public static partial int GetProgramLog(IntPtr program, byte[] log);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetPTXSize")]
    public static partial int GetPtxSize(IntPtr program, out nuint size);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetPTX")]
    public static partial int GetPtx(IntPtr program, byte[] ptx);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetCUBINSize")]
    public static partial int GetCubinSize(IntPtr program, out nuint size);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetCUBIN")]
    public static partial int GetCubin(IntPtr program, byte[] cubin);
}
