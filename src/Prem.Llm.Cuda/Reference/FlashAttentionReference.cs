using System.Numerics.Tensors;
using Prem.Llm.Cuda.Attention;
using Prem.Llm.Cuda.Runtime;

namespace Prem.Llm.Cuda.Reference;

/// <summary>
/// The CUDA kernels' algorithm in float32 on the CPU: the same tiles, the same online softmax in base 2,
/// the same saved log-sum-exp and the same backward (delta pre-pass, P recomputed from the LSE, dK/dV
/// per KV head summed over its query heads). It defines what the kernels must compute, runs in CI, and
/// is what the GPU harness compares against.
/// </summary>
/// <remarks>Tensors are [tokens, heads, headDim] row-major (see <see cref="AttentionProblem"/>); LSE is
/// [HeadsQ, TotalQ] in natural-log units of the scaled scores.</remarks>
internal static class FlashAttentionReference
{
    const float Log2E = 1.4426950408889634f;
    const float Ln2 = 0.6931471805599453f;

    /// <summary>O = softmax(scale · Q Kᵀ) V per sequence and head, and the row log-sum-exp.</summary>
    /// <param name="p">Shape, causality and scale.</param>
    /// <param name="q">[TotalQ, HeadsQ, HeadDim].</param>
    /// <param name="k">[TotalK, HeadsKv, HeadDim].</param>
    /// <param name="v">[TotalK, HeadsKv, HeadDim].</param>
    /// <param name="o">Output, [TotalQ, HeadsQ, HeadDim].</param>
    /// <param name="lse">Output, [HeadsQ, TotalQ]: ln Σ exp(scale · q·k) over the visible keys.</param>
    /// <param name="blockM">Query rows per tile (the kernel uses 64).</param>
    /// <param name="blockN">Key rows per tile (the kernel uses 64).</param>
    public static void Forward(AttentionProblem p, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v,
        Span<float> o, Span<float> lse, int blockM = 64, int blockN = 64)
    {
        CheckLengths(p, q.Length, k.Length, v.Length, o.Length, lse.Length);
        if (blockM <= 0 || blockN <= 0) throw new CudaException($"Tile sizes must be positive (blockM {blockM}, blockN {blockN}).");
        int d = p.HeadDim, hq = p.HeadsQ, hkv = p.HeadsKv;
        var scores = new float[blockN];
        var acc = new float[blockM * d];
        var rowMax = new float[blockM];
        var rowSum = new float[blockM];
        for (var b = 0; b < p.NumSequences; b++)
        {
            int q0 = p.CuSeqlensQ[b], lq = p.CuSeqlensQ[b + 1] - q0, k0 = p.CuSeqlensK[b], lk = p.CuSeqlensK[b + 1] - k0;
            for (var h = 0; h < hq; h++)
            {
                var hk = h / p.Group;
                for (var mBlock = 0; mBlock * blockM < lq; mBlock++)
                {
                    int rows = Math.Min(blockM, lq - mBlock * blockM);
                    acc.AsSpan().Clear();
                    rowMax.AsSpan().Fill(float.NegativeInfinity);
                    rowSum.AsSpan().Clear();
                    foreach (var (nBlock, keys) in KeyBlocks(p.Causal, mBlock, blockM, blockN, lk))
                        for (var r = 0; r < rows; r++)
                        {
                            var row = mBlock * blockM + r;
                            var qRow = q.Slice(((q0 + row) * hq + h) * d, d);
                            var mx = rowMax[r];
                            for (var c = 0; c < keys; c++)
                            {
                                var key = nBlock * blockN + c;
                                scores[c] = p.Causal && key > row
                                    ? float.NegativeInfinity
                                    : TensorPrimitives.Dot(qRow, k.Slice(((k0 + key) * hkv + hk) * d, d)) * p.Scale * Log2E;
                                mx = MathF.Max(mx, scores[c]);
                            }
                            var baseline = float.IsNegativeInfinity(mx) ? 0f : mx;
                            var alpha = float.Exp2(rowMax[r] - baseline);
                            rowMax[r] = mx;
                            var accRow = acc.AsSpan(r * d, d);
                            TensorPrimitives.Multiply(accRow, alpha, accRow);
                            var sum = 0f;
                            for (var c = 0; c < keys; c++)
                            {
                                var pc = float.Exp2(scores[c] - baseline);
                                sum += pc;
                                if (pc != 0f)
                                    TensorPrimitives.MultiplyAdd(v.Slice(((k0 + nBlock * blockN + c) * hkv + hk) * d, d), pc, accRow, accRow);
                            }
                            rowSum[r] = rowSum[r] * alpha + sum;
                        }
                    for (var r = 0; r < rows; r++)
                    {
                        var row = mBlock * blockM + r;
                        var inv = rowSum[r] > 0f ? 1f / rowSum[r] : 0f;
                        TensorPrimitives.Multiply(acc.AsSpan(r * d, d), inv, o.Slice(((q0 + row) * hq + h) * d, d));
                        lse[h * p.TotalQ + q0 + row] = (rowMax[r] + MathF.Log2(rowSum[r])) * Ln2;
                    }
                }
            }
        }
    }

    /// <summary>Key blocks a query block visits, with the number of valid keys in each: all of them,
    /// or with causal masking only those up to the diagonal (the rest are skipped, not masked).</summary>
    public static IEnumerable<(int Block, int Keys)> KeyBlocks(bool causal, int mBlock, int blockM, int blockN, int lk)
    {
        var blocks = (lk + blockN - 1) / blockN;
        if (causal) blocks = Math.Min(blocks, ((mBlock + 1) * blockM + blockN - 1) / blockN);
        for (var n = 0; n < blocks; n++) yield return (n, Math.Min(blockN, lk - n * blockN));
    }

    internal static void CheckLengths(AttentionProblem p, int q, int k, int v, int o, int lse)
    {
        Check("q", q, p.TotalQ * p.HeadsQ * p.HeadDim, "[TotalQ, HeadsQ, HeadDim]");
        Check("k", k, p.TotalK * p.HeadsKv * p.HeadDim, "[TotalK, HeadsKv, HeadDim]");
        Check("v", v, p.TotalK * p.HeadsKv * p.HeadDim, "[TotalK, HeadsKv, HeadDim]");
        Check("o", o, p.TotalQ * p.HeadsQ * p.HeadDim, "[TotalQ, HeadsQ, HeadDim]");
        Check("lse", lse, p.HeadsQ * p.TotalQ, "[HeadsQ, TotalQ]");
    }

    internal static void Check(string name, int actual, int expected, string shape)
    {
        if (actual != expected)
            throw new CudaException($"Argument '{name}' has {actual} elements; expected {expected} = {shape}.");
    }
}
