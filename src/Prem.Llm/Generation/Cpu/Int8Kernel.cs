using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// Int8 weights × int8 activations (<see cref="Q8Activations"/>) in integer arithmetic, llama.cpp's
/// Q8_0 × Q8_0 dot: per block of 32, the 32 weight·activation products are summed in pairs into 16
/// int32 lanes (exact: |q| ≤ 127), converted to float32 and accumulated with the block's scale
/// d_w · d_x. One weight load serves up to four tokens.
/// </summary>
/// <remarks>
/// <para>Two paths with bit-identical results: AVX-512BW (VPMOVSXBW widens 32 weights to int16, VPMADDWD
/// multiplies by the int16 activations and adds pairs) and a portable Vector256 one (widen, multiply in
/// int16, add each pair of int16 products in int32). Both compute lane j of a block as the products
/// 2j and 2j + 1, accumulate lane by lane with one fused multiply-add per block, and reduce the 16
/// lanes in the same fixed order, so a token's result does not depend on the path or on the tokens
/// beside it (batched decode = single-sequence decode, bit for bit).</para>
/// <para>AVX-512 VNNI (VPDPBUSD/VPDPWSSD) would fuse the multiply-add with the int32 accumulation, but
/// .NET 10 exposes it only through <c>Avx10v1</c> and the VEX-encoded <c>AvxVnni</c>, which CPUs of the
/// AVX-512 generation before AVX10 (this Zen 4 among them) do not report; and since every block is
/// converted to float32 for its scale, the fusion would save one add per block.</para>
/// </remarks>
internal static unsafe class Int8Kernel
{
    /// <summary>Use the AVX-512BW path (where the CPU has it and <see cref="MatMulKernel.UseVector512"/> is on).</summary>
    public static bool UseAvx512 => MatMulKernel.UseVector512 && Avx512BW.IsSupported;

    /// <summary>
    /// y[t · <paramref name="yStride"/> + r] = Σ over blocks of rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>)
    /// of the int8 matrix (<paramref name="quants"/> [rows, cols], <paramref name="scales"/> [rows, blocks]) times every row of <paramref name="x"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(sbyte* quants, float* scales, int cols, Q8Activations x, float* y, int yStride, int rowStart, int rowEnd)
    {
        if (x.Cols != cols) throw new ArgumentException($"The activations have {x.Cols} columns; the matrix has {cols}.", nameof(x));
        int blocks = x.Blocks, tokens = x.Tokens;
        bool avx = UseAvx512;
        for (int r = rowStart; r < rowEnd; r++)
        {
            sbyte* w = quants + (long)r * cols;
            float* dw = scales + (long)r * blocks;
            int t = 0;
            for (; t + 4 <= tokens; t += 4)
            {
                float* yt = y + (long)t * yStride + r;
                if (avx) Dot4Avx512(w, dw, x, t, blocks, yt, yStride);
                else Dot4Portable(w, dw, x, t, blocks, yt, yStride);
            }
            for (; t < tokens; t++)
                y[(long)t * yStride + r] = avx ? DotAvx512(w, dw, x.Values(t), x.Scales(t), blocks) : DotPortable(w, dw, x.Values(t), x.Scales(t), blocks);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float DotAvx512(sbyte* w, float* dw, short* x, float* dx, int blocks)
    {
        Vector512<float> acc = default;
        for (int b = 0; b < blocks; b++)
        {
            var pairs = Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(Vector256.Load(w + b * 32)), Vector512.Load(x + b * 32));
            acc = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(pairs), Vector512.Create(dw[b] * dx[b]), acc);
        }
        return Reduce(acc.GetLower(), acc.GetUpper());
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Dot4Avx512(sbyte* w, float* dw, Q8Activations x, int t, int blocks, float* y, int yStride)
    {
        short* x0 = x.Values(t), x1 = x.Values(t + 1), x2 = x.Values(t + 2), x3 = x.Values(t + 3);
        float* d0 = x.Scales(t), d1 = x.Scales(t + 1), d2 = x.Scales(t + 2), d3 = x.Scales(t + 3);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int b = 0; b < blocks; b++)
        {
            var w16 = Avx512BW.ConvertToVector512Int16(Vector256.Load(w + b * 32));
            float s = dw[b];
            int k = b * 32;
            a0 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Avx512BW.MultiplyAddAdjacent(w16, Vector512.Load(x0 + k))), Vector512.Create(s * d0[b]), a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Avx512BW.MultiplyAddAdjacent(w16, Vector512.Load(x1 + k))), Vector512.Create(s * d1[b]), a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Avx512BW.MultiplyAddAdjacent(w16, Vector512.Load(x2 + k))), Vector512.Create(s * d2[b]), a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Avx512BW.MultiplyAddAdjacent(w16, Vector512.Load(x3 + k))), Vector512.Create(s * d3[b]), a3);
        }
        y[0] = Reduce(a0.GetLower(), a0.GetUpper());
        y[yStride] = Reduce(a1.GetLower(), a1.GetUpper());
        y[2L * yStride] = Reduce(a2.GetLower(), a2.GetUpper());
        y[3L * yStride] = Reduce(a3.GetLower(), a3.GetUpper());
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float DotPortable(sbyte* w, float* dw, short* x, float* dx, int blocks)
    {
        Vector256<float> lo = default, hi = default;
        for (int b = 0; b < blocks; b++) Block(w, dw[b] * dx[b], x, b * 32, ref lo, ref hi);
        return Reduce(lo, hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Dot4Portable(sbyte* w, float* dw, Q8Activations x, int t, int blocks, float* y, int yStride)
    {
        for (int j = 0; j < 4; j++) y[j * (long)yStride] = DotPortable(w, dw, x.Values(t + j), x.Scales(t + j), blocks);
    }

    // One block of 32: lanes 0–7 of lo hold the pairs of weights 0–15, lanes 0–7 of hi those of 16–31 (as VPMADDWD orders them).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Block(sbyte* w, float scale, short* x, int k, ref Vector256<float> lo, ref Vector256<float> hi)
    {
        var (w0, w1) = Vector256.Widen(Vector256.Load(w + k));
        var s = Vector256.Create(scale);
        lo = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(Pairs(w0 * Vector256.Load(x + k))), s, lo);
        hi = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(Pairs(w1 * Vector256.Load(x + k + 16))), s, hi);
    }

    // Adjacent int16 products summed into int32: the low and high halves of each int32 lane, sign-extended.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<int> Pairs(Vector256<short> products)
    {
        var v = products.AsInt32();
        return ((v << 16) >> 16) + (v >> 16);
    }

    // The 16 lanes in one fixed order, shared by both paths.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Reduce(Vector256<float> lo, Vector256<float> hi)
    {
        var eight = lo + hi;
        var four = eight.GetLower() + eight.GetUpper();
        return (four.GetElement(0) + four.GetElement(1)) + (four.GetElement(2) + four.GetElement(3));
    }
}
