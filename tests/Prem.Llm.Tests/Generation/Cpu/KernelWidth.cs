using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Prem.Llm.Generation.Cpu;

namespace Prem.Llm.Tests.Generation.Cpu;

/// <summary>
/// Runs the managed CPU kernels at one vector width until disposed: 512 (AVX-512), 256 (AVX2 + FMA) or 0 (the portable
/// fallback). A width the CPU lacks skips the test (reported as skipped, never passed). Tests that use it belong to
/// <see cref="CpuKernelCollection"/>.
/// </summary>
internal sealed class KernelWidth : IDisposable
{
    readonly bool _vector512 = MatMulKernel.UseVector512, _vector256 = MatMulKernel.UseVector256;

    /// <summary>Whether this CPU runs the kernels of <paramref name="bits"/> (0: the portable ones, always).</summary>
    public static bool Supports(int bits) => bits switch
    {
        512 => Vector512.IsHardwareAccelerated,
        256 => Vector256.IsHardwareAccelerated && Fma.IsSupported,
        0 => true,
        _ => throw new ArgumentOutOfRangeException(nameof(bits), bits, "512, 256 or 0."),
    };

    /// <summary>The widest width this CPU runs (what the engine picks by default).</summary>
    public static int Widest => Supports(512) ? 512 : Supports(256) ? 256 : 0;

    public KernelWidth(int bits)
    {
        Skip.IfNot(Supports(bits), bits == 512 ? "this CPU has no AVX-512 (the 256-bit and portable cases run)" : "this CPU has no AVX2 + FMA (the portable case runs)");
        MatMulKernel.UseVector512 = bits == 512;
        MatMulKernel.UseVector256 = bits == 256;
    }

    public void Dispose()
    {
        MatMulKernel.UseVector512 = _vector512;
        MatMulKernel.UseVector256 = _vector256;
    }
}
