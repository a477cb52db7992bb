using Prem.Llm.Cuda.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Cuda.Tests;

/// <summary>
/// The textbook attention math, independent of the code under test: per sequence and head, the full
/// score matrix, an explicit mask, softmax and a matmul, in float64 with TorchSharp (whose autograd
/// gives the reference gradients).
/// </summary>
internal static class EagerAttention
{
    /// <summary>Output [TotalQ, HeadsQ, D] and gradients of Σ O ∘ dO, all float64, from float32 inputs.</summary>
    public static (double[] O, double[] Lse, double[] Dq, double[] Dk, double[] Dv) Run(
        AttentionProblem p, float[] q, float[] k, float[] v, float[] dO)
    {
        using var scope = NewDisposeScope();
        int d = p.HeadDim;
        var qt = tensor(q, float64).reshape(p.TotalQ, p.HeadsQ, d).requires_grad_();
        var kt = tensor(k, float64).reshape(p.TotalK, p.HeadsKv, d).requires_grad_();
        var vt = tensor(v, float64).reshape(p.TotalK, p.HeadsKv, d).requires_grad_();
        var outs = new List<Tensor>();
        var lses = new List<Tensor>();
        for (var b = 0; b < p.NumSequences; b++)
        {
            long q0 = p.CuSeqlensQ[b], q1 = p.CuSeqlensQ[b + 1], k0 = p.CuSeqlensK[b], k1 = p.CuSeqlensK[b + 1];
            var qs = qt[TensorIndex.Slice(q0, q1)].transpose(0, 1);                                   // [Hq, Lq, D]
            var ks = kt[TensorIndex.Slice(k0, k1)].transpose(0, 1).repeat_interleave(p.Group, 0);     // [Hq, Lk, D]
            var vs = vt[TensorIndex.Slice(k0, k1)].transpose(0, 1).repeat_interleave(p.Group, 0);
            var scores = qs.matmul(ks.transpose(1, 2)) * p.Scale;
            if (p.Causal)
            {
                var allowed = ones(q1 - q0, k1 - k0, ScalarType.Bool).tril();
                scores = scores.masked_fill(allowed.logical_not(), double.NegativeInfinity);
            }
            lses.Add(scores.logsumexp(-1));                                    // [Hq, Lq]
            outs.Add(scores.softmax(-1).matmul(vs).transpose(0, 1));           // [Lq, Hq, D]
        }
        var o = cat(outs, 0);
        var lse = cat(lses, 1);
        (o * tensor(dO, float64).reshape(o.shape)).sum().backward();
        return (o.detach().data<double>().ToArray(), lse.detach().data<double>().ToArray(),
            qt.grad!.data<double>().ToArray(), kt.grad!.data<double>().ToArray(), vt.grad!.data<double>().ToArray());
    }

    /// <summary>‖a − b‖ / ‖b‖.</summary>
    public static double RelativeError(float[] actual, double[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double num = 0, den = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var diff = actual[i] - expected[i];
            num += diff * diff;
            den += expected[i] * expected[i];
        }
        return Math.Sqrt(num / den);
    }

    /// <summary>Uniform values in [−scale, scale) from a seeded generator.</summary>
    public static float[] Random(Random rng, int count, float scale = 1f) =>
        Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
}
