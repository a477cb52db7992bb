using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// y[t, r] = Σ_k W[r, k] · x[t, k] for a range of weight rows and every token: the one loop every
/// projection runs. Register-blocked over 4 rows × 4 tokens with 512-bit FMAs, so each weight vector
/// loaded serves four tokens (batched decode, prefill) and each input vector four rows; a single
/// token reads every weight once, which is all decoding can do at the memory-bandwidth limit.
/// </summary>
/// <remarks>
/// The kernels are compiled fully optimised at first call (AggressiveOptimization): tier-0 code of
/// 512-bit loops is many times slower, and the first generation would pay for it.
/// </remarks>
internal static unsafe class MatMulKernel
{
    /// <summary>Use the 512-bit kernels (on by default where the CPU has AVX-512); tests turn it off to check the fallback.</summary>
    public static bool UseVector512 { get; set; } = Vector512.IsHardwareAccelerated;

    /// <summary>
    /// Without the 512-bit kernels, use <see cref="MatMulKernel256"/> (on by default where the CPU has AVX2 and FMA);
    /// off, the portable fallback (TensorPrimitives per row). Tests turn it off to check the fallback.
    /// </summary>
    public static bool UseVector256 { get; set; } = Vector256.IsHardwareAccelerated && Fma.IsSupported;

    /// <summary>
    /// Whether the kernel now in use prefetches the rows of a batched product ahead itself (the 256-bit one), so the
    /// matrices skip <see cref="CacheWarmer"/>'s pass.
    /// </summary>
    public static bool PrefetchesAhead => !UseVector512 && UseVector256;

    [ThreadStatic] static float[]? _rowScratch;

    /// <summary>
    /// Rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) of <paramref name="w"/> times
    /// <paramref name="tokens"/> input rows of <paramref name="cols"/> floats, <paramref name="xStride"/> apart,
    /// into y[t · <paramref name="yStride"/> + r].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<TRows>(TRows w, int cols, float* x, int xStride, int tokens, float* y, int yStride, int rowStart, int rowEnd)
        where TRows : struct, IWeightRows
    {
        if (!UseVector512)
        {
            if (UseVector256) MatMulKernel256.Multiply(w, cols, x, xStride, tokens, y, yStride, rowStart, rowEnd);
            else Fallback(w, cols, x, xStride, tokens, y, yStride, rowStart, rowEnd);
            return;
        }
        int r = rowStart;
        if (tokens < FewTokens)
        {
            // Decode of one to three sequences: each row read once as one sequential stream.
            for (; r < rowEnd; r++)
            {
                int t = 0;
                for (; t + 4 <= tokens; t += 4) Block1x4(w, cols, x + (long)t * xStride, xStride, y + (long)t * yStride + r, yStride, r);
                for (; t < tokens; t++) y[(long)t * yStride + r] = Dot(w, cols, x + (long)t * xStride, r);
            }
            return;
        }
        for (; r + 4 <= rowEnd; r += 4)
        {
            int t = 0;
            for (; t + 4 <= tokens; t += 4) Block4x4(w, cols, x + (long)t * xStride, xStride, y + (long)t * yStride + r, yStride, r);
            for (; t < tokens; t++)
                for (int i = 0; i < 4; i++) y[(long)t * yStride + r + i] = Dot(w, cols, x + (long)t * xStride, r + i);
        }
        // Rows past the last block of four: one accumulator per token, as in the blocks, so a (row, token) gets the same
        // bits whichever rows share its call (the pool's chunks split rows where they fall).
        for (; r < rowEnd; r++)
        {
            int t = 0;
            for (; t + 4 <= tokens; t += 4) Block1x4(w, cols, x + (long)t * xStride, xStride, y + (long)t * yStride + r, yStride, r);
            for (; t < tokens; t++) y[(long)t * yStride + r] = Dot(w, cols, x + (long)t * xStride, r);
        }
    }

    /// <summary>
    /// Below this many tokens the kernel streams one row at a time (decode is memory-bound: one pass over
    /// the weights); from it on, 4 × 4 register blocks (batched decode, prefill), where the multiply-adds
    /// are the limit: a row-at-a-time pass spends 5 loads per 4 FMAs, a 4 × 4 block 8 per 16 (the
    /// kernel-smoke tool measured 8 tokens at 1.7× the weights per CPU-second of two 1 × 4 passes).
    /// </summary>
    public const int FewTokens = 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Block1x4<TRows>(TRows w, int cols, float* x0, int xStride, float* y, int yStride, long r)
        where TRows : struct, IWeightRows
    {
        float* x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int whole = cols & ~15;
        for (int k = 0; k < whole; k += 16)
        {
            var v = w.Load16(r, k);
            a0 = Vector512.FusedMultiplyAdd(v, Vector512.Load(x0 + k), a0);
            a1 = Vector512.FusedMultiplyAdd(v, Vector512.Load(x1 + k), a1);
            a2 = Vector512.FusedMultiplyAdd(v, Vector512.Load(x2 + k), a2);
            a3 = Vector512.FusedMultiplyAdd(v, Vector512.Load(x3 + k), a3);
        }
        y[0] = Vector512.Sum(a0);
        y[yStride] = Vector512.Sum(a1);
        y[2L * yStride] = Vector512.Sum(a2);
        y[3L * yStride] = Vector512.Sum(a3);
        if (whole == cols) return;
        for (int j = 0; j < 4; j++) y[j * (long)yStride] += Tail(w, whole, cols, x0 + j * (long)xStride, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Block4x4<TRows>(TRows w, int cols, float* x0, int xStride, float* y, int yStride, long r)
        where TRows : struct, IWeightRows
    {
        float* x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        int whole = cols & ~15;
        for (int k = 0; k < whole; k += 16)
        {
            var v0 = Vector512.Load(x0 + k);
            var v1 = Vector512.Load(x1 + k);
            var v2 = Vector512.Load(x2 + k);
            var v3 = Vector512.Load(x3 + k);
            var w0 = w.Load16(r, k);
            a00 = Vector512.FusedMultiplyAdd(w0, v0, a00); a01 = Vector512.FusedMultiplyAdd(w0, v1, a01);
            a02 = Vector512.FusedMultiplyAdd(w0, v2, a02); a03 = Vector512.FusedMultiplyAdd(w0, v3, a03);
            var w1 = w.Load16(r + 1, k);
            a10 = Vector512.FusedMultiplyAdd(w1, v0, a10); a11 = Vector512.FusedMultiplyAdd(w1, v1, a11);
            a12 = Vector512.FusedMultiplyAdd(w1, v2, a12); a13 = Vector512.FusedMultiplyAdd(w1, v3, a13);
            var w2 = w.Load16(r + 2, k);
            a20 = Vector512.FusedMultiplyAdd(w2, v0, a20); a21 = Vector512.FusedMultiplyAdd(w2, v1, a21);
            a22 = Vector512.FusedMultiplyAdd(w2, v2, a22); a23 = Vector512.FusedMultiplyAdd(w2, v3, a23);
            var w3 = w.Load16(r + 3, k);
            a30 = Vector512.FusedMultiplyAdd(w3, v0, a30); a31 = Vector512.FusedMultiplyAdd(w3, v1, a31);
            a32 = Vector512.FusedMultiplyAdd(w3, v2, a32); a33 = Vector512.FusedMultiplyAdd(w3, v3, a33);
        }
        y[0] = Vector512.Sum(a00);
        y[1] = Vector512.Sum(a10);
        y[2] = Vector512.Sum(a20);
        y[3] = Vector512.Sum(a30);
        y += yStride;
        y[0] = Vector512.Sum(a01);
        y[1] = Vector512.Sum(a11);
        y[2] = Vector512.Sum(a21);
        y[3] = Vector512.Sum(a31);
        y += yStride;
        y[0] = Vector512.Sum(a02);
        y[1] = Vector512.Sum(a12);
        y[2] = Vector512.Sum(a22);
        y[3] = Vector512.Sum(a32);
        y += yStride;
        y[0] = Vector512.Sum(a03);
        y[1] = Vector512.Sum(a13);
        y[2] = Vector512.Sum(a23);
        y[3] = Vector512.Sum(a33);
        if (whole == cols) return;
        // Columns past the last multiple of 16, after the sums (a call with live vector accumulators makes the JIT spill them in the loop).
        y -= 3L * yStride;
        for (int j = 0; j < 4; j++)
            for (int i = 0; i < 4; i++)
                y[j * yStride + i] += Tail(w, whole, cols, x0 + j * xStride, r + i);

    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float Dot<TRows>(TRows w, int cols, float* x, long r) where TRows : struct, IWeightRows
    {
        // One row as one sequential stream (several rows at once read slower from memory here), four accumulators.
        Vector512<float> a = default, b = default, c = default, d = default;
        int whole = cols & ~15, k = 0;
        for (; k + 64 <= whole; k += 64)
        {
            a = Vector512.FusedMultiplyAdd(w.Load16(r, k), Vector512.Load(x + k), a);
            b = Vector512.FusedMultiplyAdd(w.Load16(r, k + 16), Vector512.Load(x + k + 16), b);
            c = Vector512.FusedMultiplyAdd(w.Load16(r, k + 32), Vector512.Load(x + k + 32), c);
            d = Vector512.FusedMultiplyAdd(w.Load16(r, k + 48), Vector512.Load(x + k + 48), d);
        }
        for (; k < whole; k += 16) a = Vector512.FusedMultiplyAdd(w.Load16(r, k), Vector512.Load(x + k), a);
        float sum = Vector512.Sum((a + b) + (c + d));
        return whole == cols ? sum : sum + Tail(w, whole, cols, x, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float Tail<TRows>(TRows w, int from, int cols, float* x, long r) where TRows : struct, IWeightRows
    {
        float sum = 0;
        for (int k = from; k < cols; k++) sum += w.Load1(r, k) * x[k];
        return sum;
    }

    // Without AVX-512: widen one row into scratch, then System.Numerics.Tensors' dot (256-bit).
    static void Fallback<TRows>(TRows w, int cols, float* x, int xStride, int tokens, float* y, int yStride, int rowStart, int rowEnd)
        where TRows : struct, IWeightRows
    {
        if (_rowScratch is null || _rowScratch.Length < cols) _rowScratch = new float[cols];
        var row = _rowScratch.AsSpan(0, cols);
        for (int r = rowStart; r < rowEnd; r++)
        {
            for (int k = 0; k < cols; k++) row[k] = w.Load1(r, k);
            for (int t = 0; t < tokens; t++)
                y[(long)t * yStride + r] = TensorPrimitives.Dot(row, new ReadOnlySpan<float>(x + (long)t * xStride, cols));
        }
    }
}
