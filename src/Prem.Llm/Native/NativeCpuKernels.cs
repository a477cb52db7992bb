using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Prem.Llm.Native;

/// <summary>
/// The CPU engine's bf16 and int8 dot products in AVX512-BF16 (<see cref="Bf16"/>) and AVX512-VNNI
/// (<see cref="Int8"/>), in prem_cpu_kernels.c next to this file: .NET 10 cannot emit those instructions on
/// CPUs without AVX10 (Zen 4, Sapphire Rapids; Ice Lake and Cascade Lake have VNNI only). The library is
/// built with the package where a C compiler is present (Linux x64); where it is missing, or the CPU lacks a
/// kernel's extension, that kernel is not <see cref="NativeKernel.Available"/> and the engine runs its managed one.
/// </summary>
internal static unsafe partial class NativeCpuKernels
{
    static readonly Lazy<string?> _libraryMissing = new(LoadLibrary);

    /// <summary>The bf16 kernel (AVX512-BF16).</summary>
    public static NativeKernel Bf16 { get; } = new("avx512-bf16", () => Avx512Missing() ?? CpuIdMissing(7, 1, eax: true, bit: 5, "AVX512-BF16"));

    /// <summary>The int8 kernel (AVX512-VNNI).</summary>
    public static NativeKernel Int8 { get; } = new("avx512-vnni", () => Avx512Missing() ?? CpuIdMissing(7, 0, eax: false, bit: 11, "AVX512-VNNI"));

    /// <summary>Why the library did not load (null when it did).</summary>
    public static string? LibraryMissing => _libraryMissing.Value;

    /// <summary>Use the native kernels where available (on by default); tests turn it off to check the managed ones.</summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>
    /// y[t · ys + r] = Σ_k w[r · cols + k] · x[t · xs + k] for rows [r0, r1) and <paramref name="tokens"/> rows of x;
    /// bf16 weights and activations, float32 sums.
    /// </summary>
    [LibraryImport(NativeLibraries.CpuKernels, EntryPoint = "prem_bf16_matmul")]
    public static partial void Bf16MatMul(ushort* w, long cols, ushort* x, long xs, int tokens, float* y, long ys, int r0, int r1);

    /// <summary>
    /// The same product with the weights in panels of 16 rows (<paramref name="w"/>, Bf16PanelMatrix), for rows [r0, r1),
    /// r0 a multiple of 16.
    /// </summary>
    [LibraryImport(NativeLibraries.CpuKernels, EntryPoint = "prem_bf16_panels_matmul")]
    public static partial void Bf16PanelsMatMul(ushort* w, long cols, ushort* x, long xs, int tokens, float* y, long ys, int r0, int r1);

    /// <summary>
    /// Int8 weights in panels (<paramref name="w"/>, Int8Panels) times activations as signed bytes (<paramref name="x"/>,
    /// rows <paramref name="xs"/> bytes apart) with their block scales (<paramref name="xd"/>) and −128 · Σ x per block
    /// (<paramref name="xc"/>, both rows <paramref name="xds"/> apart), into y[t · ys + r] for rows [r0, r1), r0 a multiple of 16.
    /// </summary>
    [LibraryImport(NativeLibraries.CpuKernels, EntryPoint = "prem_q8_matmul")]
    public static partial void Q8MatMul(byte* w, long cols, sbyte* x, long xs, float* xd, int* xc, long xds, int tokens, float* y, long ys, int r0, int r1);

    static string? Avx512Missing() => Avx512BW.IsSupported ? null : "the CPU (or the OS) has no AVX-512BW";

    // CPUID leaf 7: sub-leaf 0 ECX bit 11 is AVX512-VNNI, sub-leaf 1 EAX bit 5 is AVX512-BF16.
    static string? CpuIdMissing(int leaf, int subLeaf, bool eax, int bit, string extension)
    {
        var (a, _, c, _) = X86Base.CpuId(leaf, subLeaf);
        return ((eax ? a : c) & (1 << bit)) != 0 ? null : $"the CPU has no {extension}";
    }

    static string? LoadLibrary()
    {
        NativeLibraries.EnsureRegistered();
        if (!NativeLibrary.TryLoad(NativeLibraries.CpuKernels, typeof(NativeCpuKernels).Assembly, null, out var handle))
            return $"lib{NativeLibraries.CpuKernels}.so was not found next to Prem.Llm (it is built with the package where a C compiler is present)";
        NativeLibraries.Register(NativeLibraries.CpuKernels, handle);
        return null;
    }
}
