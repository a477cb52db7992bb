using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Prem.Llm.Native;

/// <summary>
/// The CPU engine's bf16 and int8 dot products in AVX512-BF16 and AVX512-VNNI (prem_cpu_kernels.c, next
/// to this file), which .NET 10 cannot emit on CPUs without AVX10 (Zen 4, Sapphire Rapids). The library is
/// built with the package where a C compiler is present (Linux x64); where it is missing, or the CPU lacks
/// either extension, <see cref="Available"/> is false and the engine runs its managed kernels.
/// </summary>
internal static unsafe partial class NativeCpuKernels
{
    static readonly Lazy<string?> _missing = new(FindMissing);

    /// <summary>Whether the library loaded and the CPU has AVX512-BF16 and AVX512-VNNI.</summary>
    public static bool Available => _missing.Value is null;

    /// <summary>Why <see cref="Available"/> is false (null when it is true).</summary>
    public static string? Missing => _missing.Value;

    /// <summary>Use the native kernels where <see cref="Available"/> (on by default); tests turn it off to check the managed ones.</summary>
    public static bool Enabled { get; set; } = true;

    /// <summary><see cref="Available"/> and <see cref="Enabled"/>.</summary>
    public static bool Use => Enabled && Available;

    /// <summary>
    /// y[t · ys + r] = Σ_k w[r · cols + k] · x[t · xs + k] for rows [r0, r1) and <paramref name="tokens"/> rows of x;
    /// bf16 weights and activations, float32 sums.
    /// </summary>
    [LibraryImport(NativeLibraries.CpuKernels, EntryPoint = "prem_bf16_matmul")]
    public static partial void Bf16MatMul(ushort* w, long cols, ushort* x, long xs, int tokens, float* y, long ys, int r0, int r1);

    /// <summary>
    /// Int8 weights (<paramref name="ws"/>: a float32 scale per block of 32) times activations stored as
    /// x + 128 (<paramref name="xu"/>, rows <paramref name="xs"/> bytes apart) with block scales expanded to 16 lanes per
    /// pair of blocks (<paramref name="xd"/>, rows <paramref name="xds"/> floats apart), into y[t · ys + r] for rows [r0, r1).
    /// </summary>
    [LibraryImport(NativeLibraries.CpuKernels, EntryPoint = "prem_q8_matmul")]
    public static partial void Q8MatMul(sbyte* w, float* ws, long cols, byte* xu, long xs, float* xd, long xds, int tokens, float* y, long ys, int r0, int r1);

    static string? FindMissing()
    {
        if (!Avx512BW.IsSupported) return "the CPU (or the OS) has no AVX-512BW";
        // CPUID leaf 7: sub-leaf 0 ECX bit 11 is AVX512-VNNI, sub-leaf 1 EAX bit 5 is AVX512-BF16.
        if ((X86Base.CpuId(7, 0).Ecx & (1 << 11)) == 0) return "the CPU has no AVX512-VNNI";
        if ((X86Base.CpuId(7, 1).Eax & (1 << 5)) == 0) return "the CPU has no AVX512-BF16";
        NativeLibraries.EnsureRegistered();
        if (!NativeLibrary.TryLoad(NativeLibraries.CpuKernels, typeof(NativeCpuKernels).Assembly, null, out var handle))
            return $"lib{NativeLibraries.CpuKernels}.so was not found next to Prem.Llm (it is built with the package where a C compiler is present)";
        NativeLibraries.Register(NativeLibraries.CpuKernels, handle);
        return null;
    }
}
