using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// <see cref="Int8Kernel"/>'s dot products for CPUs with AVX2 but no AVX-512, on the activations as signed bytes
/// (<see cref="Q8Activations.Signed"/>): llama.cpp's AVX2 Q8_0 dot. Per block of 32, VPMADDUBSW multiplies |w| (unsigned)
/// by x carrying w's sign (VPSIGNB) and adds pairs into 16 int16 (|sum| ≤ 2 · 127², no saturation), VPMADDWD with ones
/// adds those pairs into 8 exact int32 lanes, then one conversion and one FMA with d_w · d_x. Against the int16 path it
/// saves the two widenings per block and, for four tokens, takes |w| once.
/// </summary>
/// <remarks>
/// Even and odd blocks go to two accumulators, added at the end, and the 8 lanes reduce in one fixed order, for one
/// token or four, so a token's result does not depend on the tokens beside it. The bits differ from the int16 paths'
/// (their lanes hold pairs, these quadruples); each CPU runs one path.
/// </remarks>
internal static unsafe class Int8KernelAvx2
{
    /// <summary>Σ over <paramref name="blocks"/> blocks of w · x with s[b] = d_w · d_x of block b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(sbyte* w, sbyte* x, float* s, int blocks)
    {
        Vector256<float> even = default, odd = default;
        int b = 0;
        for (; b + 2 <= blocks; b += 2)
        {
            var we = Vector256.Load(w + b * 32);
            even = Accumulate(Avx2.Abs(we), we, x + b * 32, s[b], even);
            var wo = Vector256.Load(w + b * 32 + 32);
            odd = Accumulate(Avx2.Abs(wo), wo, x + b * 32 + 32, s[b + 1], odd);
        }
        if (b < blocks)
        {
            var we = Vector256.Load(w + b * 32);
            even = Accumulate(Avx2.Abs(we), we, x + b * 32, s[b], even);
        }
        return Reduce(even + odd);
    }

    /// <summary>
    /// <see cref="Dot"/> for four tokens (rows of <paramref name="x"/> <paramref name="xs"/> bytes apart, their scale
    /// products <paramref name="blocks"/> apart in <paramref name="s"/>) into y[j · <paramref name="yStride"/>].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dot4(sbyte* w, sbyte* x, long xs, float* s, int blocks, float* y, long yStride)
    {
        float* s1 = s + blocks, s2 = s1 + blocks, s3 = s2 + blocks;
        Vector256<float> e0 = default, e1 = default, e2 = default, e3 = default;
        Vector256<float> o0 = default, o1 = default, o2 = default, o3 = default;
        int b = 0;
        for (; b + 2 <= blocks; b += 2)
        {
            Block4(w, x, xs, b, s[b], s1[b], s2[b], s3[b], ref e0, ref e1, ref e2, ref e3);
            Block4(w, x, xs, b + 1, s[b + 1], s1[b + 1], s2[b + 1], s3[b + 1], ref o0, ref o1, ref o2, ref o3);
        }
        if (b < blocks) Block4(w, x, xs, b, s[b], s1[b], s2[b], s3[b], ref e0, ref e1, ref e2, ref e3);
        y[0] = Reduce(e0 + o0);
        y[yStride] = Reduce(e1 + o1);
        y[2 * yStride] = Reduce(e2 + o2);
        y[3 * yStride] = Reduce(e3 + o3);
    }

    // Block b for four tokens, |w| taken once.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Block4(sbyte* w, sbyte* x, long xs, int b, float s0, float s1, float s2, float s3,
        ref Vector256<float> a0, ref Vector256<float> a1, ref Vector256<float> a2, ref Vector256<float> a3)
    {
        var wb = Vector256.Load(w + b * 32);
        var abs = Avx2.Abs(wb);
        sbyte* xb = x + b * 32;
        a0 = Accumulate(abs, wb, xb, s0, a0);
        a1 = Accumulate(abs, wb, xb + xs, s1, a1);
        a2 = Accumulate(abs, wb, xb + 2 * xs, s2, a2);
        a3 = Accumulate(abs, wb, xb + 3 * xs, s3, a3);
    }

    // acc + (the block's 8 exact int32 quadruple sums) · scale.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Accumulate(Vector256<byte> absW, Vector256<sbyte> w, sbyte* x, float scale, Vector256<float> acc)
    {
        var pairs = Avx2.MultiplyAddAdjacent(absW, Avx2.Sign(Vector256.Load(x), w));
        var sums = Avx2.MultiplyAddAdjacent(pairs, Vector256.Create((short)1));
        return Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sums), Vector256.Create(scale), acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Reduce(Vector256<float> sum)
    {
        var four = sum.GetLower() + sum.GetUpper();
        return (four.GetElement(0) + four.GetElement(1)) + (four.GetElement(2) + four.GetElement(3));
    }
}
