using System.Numerics.Tensors;
using Prem.Llm.Cuda.Attention;
using Prem.Llm.Cuda.Runtime;

namespace Prem.Llm.Cuda.Reference;

/// <summary>
/// The backward pass of <see cref="FlashAttentionReference"/>, mirroring the kernel: delta = rowsum(dO ∘ O)
/// first, then per (sequence, KV head, key block) a walk over the group's query heads and query blocks
/// (from the diagonal on, when causal) that recomputes P from the LSE and accumulates dK, dV and dQ.
/// </summary>
internal static class FlashAttentionReferenceBackward
{
    const float Log2E = 1.4426950408889634f;

    /// <summary>Gradients of Σ O ∘ dO with respect to Q, K and V.</summary>
    public static void Backward(AttentionProblem p, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v,
        ReadOnlySpan<float> o, ReadOnlySpan<float> lse, ReadOnlySpan<float> dO,
        Span<float> dq, Span<float> dk, Span<float> dv, int blockM = 64, int blockN = 64)
    {
        FlashAttentionReference.CheckLengths(p, q.Length, k.Length, v.Length, o.Length, lse.Length);
        FlashAttentionReference.Check("dO", dO.Length, o.Length, "[TotalQ, HeadsQ, HeadDim]");
        FlashAttentionReference.Check("dq", dq.Length, q.Length, "[TotalQ, HeadsQ, HeadDim]");
        FlashAttentionReference.Check("dk", dk.Length, k.Length, "[TotalK, HeadsKv, HeadDim]");
        FlashAttentionReference.Check("dv", dv.Length, v.Length, "[TotalK, HeadsKv, HeadDim]");
        if (blockM <= 0 || blockN <= 0) throw new CudaException($"Tile sizes must be positive (blockM {blockM}, blockN {blockN}).");
        int d = p.HeadDim, hq = p.HeadsQ, hkv = p.HeadsKv;

        // Pre-pass: delta[h, token] = rowsum(dO ∘ O).
        var delta = new float[hq * p.TotalQ];
        for (var t = 0; t < p.TotalQ; t++)
            for (var h = 0; h < hq; h++)
                delta[h * p.TotalQ + t] = TensorPrimitives.Dot(dO.Slice((t * hq + h) * d, d), o.Slice((t * hq + h) * d, d));

        dq.Clear();
        dk.Clear();
        dv.Clear();
        for (var b = 0; b < p.NumSequences; b++)
        {
            int q0 = p.CuSeqlensQ[b], lq = p.CuSeqlensQ[b + 1] - q0, k0 = p.CuSeqlensK[b], lk = p.CuSeqlensK[b + 1] - k0;
            for (var hk = 0; hk < hkv; hk++)
                for (var nBlock = 0; nBlock * blockN < lk; nBlock++)
                {
                    var keys = Math.Min(blockN, lk - nBlock * blockN);
                    var mFirst = p.Causal ? nBlock * blockN / blockM : 0;
                    for (var gi = 0; gi < p.Group; gi++)
                    {
                        var h = hk * p.Group + gi;
                        for (var mBlock = mFirst; mBlock * blockM < lq; mBlock++)
                        {
                            var rows = Math.Min(blockM, lq - mBlock * blockM);
                            for (var c = 0; c < keys; c++)
                            {
                                var key = nBlock * blockN + c;
                                var kvAt = ((k0 + key) * hkv + hk) * d;
                                var kRow = k.Slice(kvAt, d);
                                var vRow = v.Slice(kvAt, d);
                                var dkRow = dk.Slice(kvAt, d);
                                var dvRow = dv.Slice(kvAt, d);
                                for (var r = 0; r < rows; r++)
                                {
                                    var row = mBlock * blockM + r;
                                    if (p.Causal && key > row) continue;
                                    var qAt = ((q0 + row) * hq + h) * d;
                                    var token = h * p.TotalQ + q0 + row;
                                    var s = TensorPrimitives.Dot(q.Slice(qAt, d), kRow);
                                    var pr = float.Exp2(s * p.Scale * Log2E - lse[token] * Log2E);
                                    TensorPrimitives.MultiplyAdd(dO.Slice(qAt, d), pr, dvRow, dvRow);
                                    var ds = pr * (TensorPrimitives.Dot(dO.Slice(qAt, d), vRow) - delta[token]);
                                    TensorPrimitives.MultiplyAdd(q.Slice(qAt, d), ds, dkRow, dkRow);
                                    var dqRow = dq.Slice(qAt, d);
                                    TensorPrimitives.MultiplyAdd(kRow, ds, dqRow, dqRow);
                                }
                            }
                        }
                    }
                }
        }
        TensorPrimitives.Multiply(dq, p.Scale, dq);
        TensorPrimitives.Multiply(dk, p.Scale, dk);
    }
}
