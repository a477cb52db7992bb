using Prem.Llm.Attention;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Attention;

/// <summary>Eager and SDPA against attention computed head by head with plain loops in the test.</summary>
public class AttentionBackendTests
{
    public static TheoryData<string> Backends => new() { "eager", "sdpa" };

    // Reference: query head h uses KV head h / (Hq / Hkv); allowed(b, i, j) decides visibility.
    static float[] Naive(Tensor q, Tensor k, Tensor v, double scale, Func<int, int, int, bool> allowed)
    {
        int batch = (int)q.shape[0], hq = (int)q.shape[1], tq = (int)q.shape[2], d = (int)q.shape[3];
        int hkv = (int)k.shape[1], tk = (int)k.shape[2];
        var qs = q.data<float>().ToArray(); var ks = k.data<float>().ToArray(); var vs = v.data<float>().ToArray();
        var output = new float[batch * hq * tq * d];
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < hq; h++)
            {
                int kh = h / (hq / hkv);
                for (int i = 0; i < tq; i++)
                {
                    var scores = new double[tk];
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < tk; j++)
                    {
                        if (!allowed(b, i, j)) { scores[j] = double.NegativeInfinity; continue; }
                        double s = 0;
                        for (int c = 0; c < d; c++) s += qs[((b * hq + h) * tq + i) * d + c] * ks[((b * hkv + kh) * tk + j) * d + c];
                        scores[j] = s * scale;
                        max = Math.Max(max, scores[j]);
                    }
                    double sum = scores.Sum(s => Math.Exp(s - max));
                    for (int c = 0; c < d; c++)
                    {
                        double acc = 0;
                        for (int j = 0; j < tk; j++) acc += Math.Exp(scores[j] - max) / sum * vs[((b * hkv + kh) * tk + j) * d + c];
                        output[((b * hq + h) * tq + i) * d + c] = (float)acc;
                    }
                }
            }
        return output;
    }

    static void AssertClose(float[] expected, Tensor actual)
    {
        var a = actual.data<float>().ToArray();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(expected[i] - a[i]) <= 1e-5 + 1e-5 * Math.Abs(expected[i]), $"[{i}] {expected[i]} vs {a[i]}");
    }

    static (Tensor, Tensor, Tensor) Inputs(int batch, int hq, int hkv, int tq, int tk, int d)
    {
        var g = new TorchSharp.torch.Generator(11);
        return (randn([batch, hq, tq, d], generator: g), randn([batch, hkv, tk, d], generator: g), randn([batch, hkv, tk, d], generator: g));
    }

    [Theory, MemberData(nameof(Backends))]
    public void Causal_gqa_matches_per_head_reference(string name)
    {
        var (q, k, v) = Inputs(2, 8, 2, 7, 7, 16);
        var output = AttentionBackends.Create(name).Forward(q, k, v, AttentionMask.Causal, 0.25);
        AssertClose(Naive(q, k, v, 0.25, (b, i, j) => j <= i), output);
    }

    [Theory, MemberData(nameof(Backends))]
    public void Non_causal_with_custom_scale(string name)
    {
        var (q, k, v) = Inputs(1, 4, 4, 5, 9, 8);
        var output = AttentionBackends.Create(name).Forward(q, k, v, new AttentionMask { IsCausal = false }, 0.7);
        AssertClose(Naive(q, k, v, 0.7, (b, i, j) => true), output);
    }

    [Theory, MemberData(nameof(Backends))]
    public void Cached_queries_with_left_padding(string name)
    {
        var (q, k, v) = Inputs(2, 4, 2, 2, 6, 8);
        bool[] real = [true, true, true, true, true, true, false, false, false, true, true, true];
        var mask = new AttentionMask { QueryOffset = 4, KeyPadding = tensor(real, [2, 6]) };
        var output = AttentionBackends.Create(name).Forward(q, k, v, mask, 0.5);
        AssertClose(Naive(q, k, v, 0.5, (b, i, j) => j <= 4 + i && real[b * 6 + j]), output);
    }

    [Theory, MemberData(nameof(Backends))]
    public void Packed_documents_do_not_see_each_other(string name)
    {
        var (q, k, v) = Inputs(1, 2, 1, 6, 6, 8);
        long[] docs = [0, 0, 0, 1, 1, 2];
        var mask = new AttentionMask { DocumentIds = tensor(docs, [1, 6]) };
        var output = AttentionBackends.Create(name).Forward(q, k, v, mask, 0.35);
        AssertClose(Naive(q, k, v, 0.35, (b, i, j) => j <= i && docs[i] == docs[j]), output);
    }

    [Fact]
    public void Head_counts_that_do_not_divide_are_rejected()
    {
        var (q, k, v) = Inputs(1, 3, 2, 4, 4, 8);
        var e = Assert.Throws<ArgumentException>(() => new EagerAttention().Forward(q, k, v, AttentionMask.Causal, 1));
        Assert.Contains("multiple of KV heads", e.Message);
        Assert.Throws<ArgumentException>(() => AttentionBackends.Create("flash2000"));
    }
}
