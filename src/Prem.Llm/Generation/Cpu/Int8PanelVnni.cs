using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// <see cref="Int8PanelKernel"/>'s blocks on CPUs with AVX-VNNI (the VEX form of VPDPBUSD: Intel from Alder Lake and
/// Sapphire Rapids, AMD from Zen 5): one instruction multiplies four unsigned bytes by four signed bytes and adds
/// the four products into an int32 lane, the work of VPSIGNB, VPMADDUBSW, VPMADDWD and VPADDD on AVX2.
/// </summary>
/// <remarks>
/// The panels keep each weight as w + 128 (<see cref="Int8Panels"/>), which is VPDPBUSD's unsigned operand as it is:
/// Σ (w + 128) · x = Σ w · x + 128 · Σ x, and <see cref="Q8Activations.Corrections"/> holds −128 · Σ x per block, so
/// a block's sum is the AVX2 path's exactly and the outputs are the same bits. Where the CPU lacks the instruction,
/// <see cref="Dot"/> computes the same sums lane by lane (slowly), so the tests check this path's arithmetic on any
/// AVX2 CPU.
/// </remarks>
internal static unsafe class Int8PanelVnni
{
    const int Rows = CpuMatrix.PanelRows;

    /// <summary>One block for four tokens (their bytes <paramref name="xs"/> apart, their scales and corrections <paramref name="ds"/> apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block4(byte* q, sbyte* x, long xs, float* d, int* c, int ds, float* acc)
    {
        Vector256<int> lo0 = default, hi0 = default, lo1 = default, hi1 = default;
        Vector256<int> lo2 = default, hi2 = default, lo3 = default, hi3 = default;
        sbyte* x1 = x + xs, x2 = x1 + xs, x3 = x2 + xs;
        for (int g = 0; g < 8; g++)
        {
            var u0 = Vector256.Load(q + 64 + g * 64);
            var u1 = Vector256.Load(q + 96 + g * 64);
            Sum(u0, u1, x + 4 * g, ref lo0, ref hi0);
            Sum(u0, u1, x1 + 4 * g, ref lo1, ref hi1);
            Sum(u0, u1, x2 + 4 * g, ref lo2, ref hi2);
            Sum(u0, u1, x3 + 4 * g, ref lo3, ref hi3);
        }
        Scale(q, d[0], c[0], lo0, hi0, acc);
        Scale(q, d[ds], c[ds], lo1, hi1, acc + Rows);
        Scale(q, d[2 * ds], c[2 * ds], lo2, hi2, acc + 2 * Rows);
        Scale(q, d[3 * ds], c[3 * ds], lo3, hi3, acc + 3 * Rows);
    }

    /// <summary>One block for one token.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block1(byte* q, sbyte* x, float d, int c, float* acc)
    {
        Vector256<int> lo = default, hi = default;
        for (int g = 0; g < 8; g++)
            Sum(Vector256.Load(q + 64 + g * 64), Vector256.Load(q + 96 + g * 64), x + 4 * g, ref lo, ref hi);
        Scale(q, d, c, lo, hi, acc);
    }

    // One token's four bytes times rows 0–7 (u0) and 8–15 (u1), four columns each.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Sum(Vector256<byte> u0, Vector256<byte> u1, sbyte* four, ref Vector256<int> lo, ref Vector256<int> hi)
    {
        var xb = Vector256.Create(*(int*)four).AsSByte();
        lo = Dot(lo, u0, xb);
        hi = Dot(hi, u1, xb);
    }

    /// <summary>VPDPBUSD: each int32 lane of <paramref name="sum"/> plus the four products of its bytes of <paramref name="u"/> (unsigned) and <paramref name="x"/> (signed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> Dot(Vector256<int> sum, Vector256<byte> u, Vector256<sbyte> x)
    {
        if (AvxVnni.IsSupported) return AvxVnni.MultiplyWideningAndAdd(sum, u, x);
        return Emulated(sum, u, x);
    }

    /// <summary><see cref="Dot"/> lane by lane, for CPUs without AVX-VNNI.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static Vector256<int> Emulated(Vector256<int> sum, Vector256<byte> u, Vector256<sbyte> x)
    {
        int* lanes = stackalloc int[8];
        for (int i = 0; i < 8; i++)
        {
            int s = sum.GetElement(i);
            for (int k = 4 * i; k < 4 * i + 4; k++) s += u.GetElement(k) * x.GetElement(k);
            lanes[i] = s;
        }
        return Vector256.Load(lanes);
    }

    // acc += (sum − 128 · Σ x) · (d_w · d_x): the AVX2 blocks' scaling, once the correction is in.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Scale(byte* q, float dx, int correction, Vector256<int> lo, Vector256<int> hi, float* acc)
    {
        var c = Vector256.Create(correction);
        Int8PanelKernel.Scale(q, dx, lo + c, hi + c, acc);
    }
}
