using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// <see cref="MatMulKernel"/> for CPUs with AVX2 and FMA but no AVX-512 (Zen 2/3, Intel's client cores since Alder
/// Lake): 256-bit FMAs, one row streamed at a time for up to three tokens, and 3 rows × 4 tokens register blocks
/// from four tokens on (12 accumulators, three weight vectors and one input vector: all 16 registers, no spills;
/// 2 × 4 blocks did 2.9 G weights per second at 8 tokens from L2, 3 × 4 3.8). The last one or two rows go in 1 × 4
/// blocks with the same one accumulator per (row, token). A 3 × 4 block prefetches the next three rows as it goes
/// (<see cref="MatMulKernel.PrefetchesAhead"/>).
/// </summary>
/// <remarks>
/// Before this kernel such CPUs widened each row into a scratch buffer and called TensorPrimitives.Dot per token:
/// on a 2-core Zen 3 VM, 110M float32 decoded 8 rows at the speed of ~2 (benchmarks/README.md, seventh pass). The
/// prefetches replaced <see cref="CacheWarmer"/>'s pass there: 110M at 8 rows, float32 ~210 → ~250 tok/s, bf16 ~225 → ~300
/// (eighth pass); the 512-bit kernel keeps the pass, which in-loop prefetches did not beat on Zen 4.
/// </remarks>
internal static unsafe class MatMulKernel256
{
    /// <inheritdoc cref="MatMulKernel.Multiply"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<TRows>(TRows w, int cols, float* x, int xStride, int tokens, float* y, int yStride, int rowStart, int rowEnd)
        where TRows : struct, IWeightRows
    {
        int r = rowStart;
        if (tokens < MatMulKernel.FewTokens)
        {
            // Decode of one to three sequences: each row read once as one sequential stream.
            for (; r < rowEnd; r++)
                for (int t = 0; t < tokens; t++) y[(long)t * yStride + r] = Dot(w, cols, x + (long)t * xStride, r);
            return;
        }
        for (; r + 3 <= rowEnd; r += 3)
        {
            int t = 0;
            for (; t + 4 <= tokens; t += 4) Block3x4(w, cols, x + (long)t * xStride, xStride, y + (long)t * yStride + r, yStride, r);
            for (; t < tokens; t++)
                for (int i = 0; i < 3; i++) y[(long)t * yStride + r + i] = Dot(w, cols, x + (long)t * xStride, r + i);
        }
        // The last one or two rows: one accumulator per token, as in the blocks, so a (row, token) gets the same bits
        // whichever rows share its call (the pool's chunks split rows where they fall).
        for (; r < rowEnd; r++)
        {
            int t = 0;
            for (; t + 4 <= tokens; t += 4) Block1x4(w, cols, x + (long)t * xStride, xStride, y + (long)t * yStride + r, yStride, r);
            for (; t < tokens; t++) y[(long)t * yStride + r] = Dot(w, cols, x + (long)t * xStride, r);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float Dot<TRows>(TRows w, int cols, float* x, long r) where TRows : struct, IWeightRows
    {
        Vector256<float> a = default, b = default, c = default, d = default;
        int whole = cols & ~7, k = 0;
        for (; k + 32 <= whole; k += 32)
        {
            a = Vector256.FusedMultiplyAdd(w.Load8(r, k), Vector256.Load(x + k), a);
            b = Vector256.FusedMultiplyAdd(w.Load8(r, k + 8), Vector256.Load(x + k + 8), b);
            c = Vector256.FusedMultiplyAdd(w.Load8(r, k + 16), Vector256.Load(x + k + 16), c);
            d = Vector256.FusedMultiplyAdd(w.Load8(r, k + 24), Vector256.Load(x + k + 24), d);
        }
        for (; k < whole; k += 8) a = Vector256.FusedMultiplyAdd(w.Load8(r, k), Vector256.Load(x + k), a);
        float sum = Vector256.Sum((a + b) + (c + d));
        for (k = whole; k < cols; k++) sum += w.Load1(r, k) * x[k];
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Block1x4<TRows>(TRows w, int cols, float* x0, int xStride, float* y, int yStride, long r)
        where TRows : struct, IWeightRows
    {
        float* x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int whole = cols & ~7;
        for (int k = 0; k < whole; k += 8)
        {
            var v = w.Load8(r, k);
            a0 = Vector256.FusedMultiplyAdd(v, Vector256.Load(x0 + k), a0);
            a1 = Vector256.FusedMultiplyAdd(v, Vector256.Load(x1 + k), a1);
            a2 = Vector256.FusedMultiplyAdd(v, Vector256.Load(x2 + k), a2);
            a3 = Vector256.FusedMultiplyAdd(v, Vector256.Load(x3 + k), a3);
        }
        (y[0], y[yStride], y[2L * yStride], y[3L * yStride]) = (Vector256.Sum(a0), Vector256.Sum(a1), Vector256.Sum(a2), Vector256.Sum(a3));
        for (int j = 0; j < 4; j++)
        {
            float* xj = x0 + (long)j * xStride, yj = y + (long)j * yStride;
            for (int k = whole; k < cols; k++) *yj += w.Load1(r, k) * xj[k];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Block3x4<TRows>(TRows w, int cols, float* x0, int xStride, float* y, int yStride, long r)
        where TRows : struct, IWeightRows
    {
        float* x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
        Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector256<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector256<float> a20 = default, a21 = default, a22 = default, a23 = default;
        long whole = cols & ~7;
        // The next three rows (contiguous), asked for while these are multiplied: 3 × 8 elements per step, 96 bytes of
        // float32 (two prefetches a step) or 48 of bf16 (one).
        void* row0 = w.Row(r), row1 = w.Row(r + 1), row2 = w.Row(r + 2), ahead = w.Row(r + 3);
        for (long k = 0; k < whole; k += 8)
        {
            TRows.Prefetch(ahead, 3 * k);
            if (TRows.ElementBytes > 2) TRows.Prefetch(ahead, 3 * k + 16);
            var w0 = TRows.Load8(row0, k);
            var w1 = TRows.Load8(row1, k);
            var w2 = TRows.Load8(row2, k);
            var v = Vector256.Load(x0 + k);
            a00 = Vector256.FusedMultiplyAdd(w0, v, a00); a10 = Vector256.FusedMultiplyAdd(w1, v, a10); a20 = Vector256.FusedMultiplyAdd(w2, v, a20);
            v = Vector256.Load(x1 + k);
            a01 = Vector256.FusedMultiplyAdd(w0, v, a01); a11 = Vector256.FusedMultiplyAdd(w1, v, a11); a21 = Vector256.FusedMultiplyAdd(w2, v, a21);
            v = Vector256.Load(x2 + k);
            a02 = Vector256.FusedMultiplyAdd(w0, v, a02); a12 = Vector256.FusedMultiplyAdd(w1, v, a12); a22 = Vector256.FusedMultiplyAdd(w2, v, a22);
            v = Vector256.Load(x3 + k);
            a03 = Vector256.FusedMultiplyAdd(w0, v, a03); a13 = Vector256.FusedMultiplyAdd(w1, v, a13); a23 = Vector256.FusedMultiplyAdd(w2, v, a23);
        }
        float* y1 = y + yStride, y2 = y1 + yStride, y3 = y2 + yStride;
        (y[0], y[1], y[2]) = (Vector256.Sum(a00), Vector256.Sum(a10), Vector256.Sum(a20));
        (y1[0], y1[1], y1[2]) = (Vector256.Sum(a01), Vector256.Sum(a11), Vector256.Sum(a21));
        (y2[0], y2[1], y2[2]) = (Vector256.Sum(a02), Vector256.Sum(a12), Vector256.Sum(a22));
        (y3[0], y3[1], y3[2]) = (Vector256.Sum(a03), Vector256.Sum(a13), Vector256.Sum(a23));
        if (whole == cols) return;
        for (int j = 0; j < 4; j++)
        {
            float* xj = x0 + (long)j * xStride, yj = y + (long)j * yStride;
            for (int i = 0; i < 3; i++)
                for (int k = (int)whole; k < cols; k++) yj[i] += w.Load1(r + i, k) * xj[k];
        }
    }
}
