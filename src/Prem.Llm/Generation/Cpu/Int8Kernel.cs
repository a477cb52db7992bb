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
/// 2j and 2j + 1, accumulate lane by lane with one fused multiply-add per block (even and odd blocks
/// in two accumulators, so two dependency chains overlap), add the two, and reduce the 16 lanes in the
/// same fixed order, so a token's result does not depend on the path or on the tokens
/// beside it (batched decode = single-sequence decode, bit for bit). CPUs with AVX2 but no AVX-512 keep their int8
/// weights in panels for <see cref="Int8PanelKernel"/> instead.</para>
/// <para>AVX-512 VNNI (VPDPBUSD) sums four products per lane in one instruction, but .NET 10 exposes it only
/// through <c>Avx10v1</c> and the VEX-encoded <c>AvxVnni</c>, which CPUs of the AVX-512 generation before AVX10
/// (Zen 4, Sapphire Rapids) do not report: there the engine calls the native kernel
/// (<see cref="Prem.Llm.Native.NativeCpuKernels"/>), and this one is the fallback.</para>
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
        // The products d_w · d_x of a row's blocks for up to four tokens, made once per row (vectorised) so the
        // inner loops broadcast one float per block.
        Span<float> scaleSpan = blocks <= 256 ? stackalloc float[4 * blocks] : ScaleScratch(4 * blocks);
        fixed (float* s = scaleSpan)
            for (int r = rowStart; r < rowEnd; r++)
            {
                sbyte* w = quants + (long)r * cols;
                float* dw = scales + (long)r * blocks;
                int t = 0;
                for (; t + 4 <= tokens; t += 4)
                {
                    float* yt = y + (long)t * yStride + r;
                    ScaleProducts(dw, x.Scales(t), s, blocks);
                    ScaleProducts(dw, x.Scales(t + 1), s + blocks, blocks);
                    ScaleProducts(dw, x.Scales(t + 2), s + 2 * blocks, blocks);
                    ScaleProducts(dw, x.Scales(t + 3), s + 3 * blocks, blocks);
                    if (avx) Dot4Avx512(w, x.Values(t), s, blocks, yt, yStride);
                    else
                        for (int j = 0; j < 4; j++) yt[j * (long)yStride] = DotPortable(w, x.Values(t + j), s + j * blocks, blocks);
                }
                for (; t < tokens; t++)
                {
                    ScaleProducts(dw, x.Scales(t), s, blocks);
                    y[(long)t * yStride + r] = avx ? DotAvx512(w, x.Values(t), s, blocks) : DotPortable(w, x.Values(t), s, blocks);
                }
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void ScaleProducts(float* dw, float* dx, float* s, int blocks)
    {
        int b = 0;
        for (; b + 8 <= blocks; b += 8) (Vector256.Load(dw + b) * Vector256.Load(dx + b)).Store(s + b);
        for (; b < blocks; b++) s[b] = dw[b] * dx[b];
    }

    [ThreadStatic] static float[]? _scaleScratch;

    static float[] ScaleScratch(int length) =>
        _scaleScratch is { } a && a.Length >= length ? a : _scaleScratch = new float[length];

    // Even blocks accumulate into one register, odd blocks into another (two dependency chains), added at the end.
    // s[b] = d_w · d_x of block b.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float DotAvx512(sbyte* w, short* x, float* s, int blocks)
    {
        Vector512<float> even = default, odd = default;
        int b = 0;
        for (; b + 2 <= blocks; b += 2)
        {
            even = BlockAvx512(Widen(w, b), s[b], x + b * 32, even);
            odd = BlockAvx512(Widen(w, b + 1), s[b + 1], x + (b + 1) * 32, odd);
        }
        if (b < blocks) even = BlockAvx512(Widen(w, b), s[b], x + b * 32, even);
        var sum = even + odd;
        return Reduce(sum.GetLower(), sum.GetUpper());
    }

    // Four tokens (rows of x a block-padded row apart, their scale products blocks apart in s) share each widened weight block.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Dot4Avx512(sbyte* w, short* x, float* s, int blocks, float* y, int yStride)
    {
        long xs = (long)blocks * 32;
        float* s1 = s + blocks, s2 = s1 + blocks, s3 = s2 + blocks;
        Vector512<float> e0 = default, e1 = default, e2 = default, e3 = default;
        Vector512<float> o0 = default, o1 = default, o2 = default, o3 = default;
        int b = 0;
        for (; b + 2 <= blocks; b += 2)
        {
            var we = Widen(w, b);
            short* xe = x + b * 32;
            e0 = BlockAvx512(we, s[b], xe, e0);
            e1 = BlockAvx512(we, s1[b], xe + xs, e1);
            e2 = BlockAvx512(we, s2[b], xe + 2 * xs, e2);
            e3 = BlockAvx512(we, s3[b], xe + 3 * xs, e3);
            var wo = Widen(w, b + 1);
            short* xo = xe + 32;
            o0 = BlockAvx512(wo, s[b + 1], xo, o0);
            o1 = BlockAvx512(wo, s1[b + 1], xo + xs, o1);
            o2 = BlockAvx512(wo, s2[b + 1], xo + 2 * xs, o2);
            o3 = BlockAvx512(wo, s3[b + 1], xo + 3 * xs, o3);
        }
        if (b < blocks)
        {
            var we = Widen(w, b);
            short* xe = x + b * 32;
            e0 = BlockAvx512(we, s[b], xe, e0);
            e1 = BlockAvx512(we, s1[b], xe + xs, e1);
            e2 = BlockAvx512(we, s2[b], xe + 2 * xs, e2);
            e3 = BlockAvx512(we, s3[b], xe + 3 * xs, e3);
        }
        e0 += o0;
        e1 += o1;
        e2 += o2;
        e3 += o3;
        y[0] = Reduce(e0.GetLower(), e0.GetUpper());
        y[yStride] = Reduce(e1.GetLower(), e1.GetUpper());
        y[2L * yStride] = Reduce(e2.GetLower(), e2.GetUpper());
        y[3L * yStride] = Reduce(e3.GetLower(), e3.GetUpper());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<short> Widen(sbyte* w, int block) => Avx512BW.ConvertToVector512Int16(Vector256.Load(w + block * 32));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> BlockAvx512(Vector512<short> w, float scale, short* x, Vector512<float> acc) =>
        Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Avx512BW.MultiplyAddAdjacent(w, Vector512.Load(x))), Vector512.Create(scale), acc);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float DotPortable(sbyte* w, short* x, float* s, int blocks)
    {
        Vector256<float> evenLo = default, evenHi = default, oddLo = default, oddHi = default;
        int b = 0;
        for (; b + 2 <= blocks; b += 2)
        {
            Block(w, s[b], x, b * 32, ref evenLo, ref evenHi);
            Block(w, s[b + 1], x, (b + 1) * 32, ref oddLo, ref oddHi);
        }
        if (b < blocks) Block(w, s[b], x, b * 32, ref evenLo, ref evenHi);
        return Reduce(evenLo + oddLo, evenHi + oddHi);
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
