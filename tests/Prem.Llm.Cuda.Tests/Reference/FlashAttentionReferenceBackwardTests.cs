using Prem.Llm.Cuda.Attention;
using Prem.Llm.Cuda.Reference;
using Prem.Llm.Cuda.Runtime;

namespace Prem.Llm.Cuda.Tests.Reference;

/// <summary>Finite-difference checks of the reference backward (autograd comparisons live in
/// <see cref="FlashAttentionReferenceTests"/>).</summary>
public class FlashAttentionReferenceBackwardTests
{
    [Theory]
    [InlineData(true, 2, 1)]
    [InlineData(false, 4, 2)]
    public void GradientsMatchFiniteDifferences(bool causal, int hq, int hkv)
    {
        const int d = 4;
        var p = new AttentionProblem([0, 5, 8], [0, 5, 8], hq, hkv, d, causal, 0.7f);
        var rng = new Random(11 + hq);
        var q = EagerAttention.Random(rng, 8 * hq * d);
        var k = EagerAttention.Random(rng, 8 * hkv * d);
        var v = EagerAttention.Random(rng, 8 * hkv * d);
        var dO = EagerAttention.Random(rng, 8 * hq * d);

        double Loss()
        {
            var o = new float[q.Length];
            FlashAttentionReference.Forward(p, q, k, v, o, new float[hq * 8], 2, 4);
            return o.Zip(dO, (a, b) => (double)a * b).Sum();
        }

        var oRef = new float[q.Length];
        var lse = new float[hq * 8];
        FlashAttentionReference.Forward(p, q, k, v, oRef, lse, 2, 4);
        var (dq, dk, dv) = (new float[q.Length], new float[k.Length], new float[v.Length]);
        FlashAttentionReferenceBackward.Backward(p, q, k, v, oRef, lse, dO, dq, dk, dv, 2, 4);

        foreach (var (x, grad) in new[] { (q, dq), (k, dk), (v, dv) })
        {
            var numeric = new double[x.Length];
            for (var i = 0; i < x.Length; i++)
            {
                const float eps = 1e-2f;
                var keep = x[i];
                x[i] = keep + eps; var up = Loss();
                x[i] = keep - eps; var down = Loss();
                x[i] = keep;
                numeric[i] = (up - down) / (2 * eps);
            }
            Assert.InRange(EagerAttention.RelativeError(grad, numeric), 0, 2e-3);
        }
    }

    [Fact]
    public void RejectsGradientBuffersOfTheWrongSize()
    {
        var p = AttentionProblem.FixedLength(1, 4, 4, 2, 1, 8, true, 0.5f);
        var (q, kv) = (new float[64], new float[32]);
        var e = Assert.Throws<CudaException>(() =>
            FlashAttentionReferenceBackward.Backward(p, q, kv, kv, q, new float[8], q, new float[64], new float[31], new float[32]));
        Assert.Contains("'dk'", e.Message);
    }
}
