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

    // Up to AutoSdpaAttention.DefaultDecomposedMaxKeys the bf16 CPU path is decomposed; above it, LibTorch's kernel.
    [Theory]
    [InlineData(7, true, 0.25)]
    [InlineData(64, false, 0.7)]
    [InlineData(AutoSdpaAttention.DefaultDecomposedMaxKeys, true, 0.125)]
    [InlineData(AutoSdpaAttention.DefaultDecomposedMaxKeys + 1, true, 0.125)]
    public void Sdpa_in_bf16_matches_the_float32_computation_forward_and_backward(int length, bool causal, double scale)
    {
        using var scope = NewDisposeScope();
        var (q, k, v) = Inputs(1, 4, 2, length, length, 16);
        var mask = causal ? AttentionMask.Causal : new AttentionMask { IsCausal = false };
        var sdpa = AttentionBackends.Create("sdpa");
        (Tensor Output, Tensor[] Grads) Run(ScalarType dtype, Func<Tensor, Tensor, Tensor, Tensor>? attention = null)
        {
            var inputs = new[] { q, k, v }.Select(t => t.to_type(dtype).detach().clone().requires_grad_(true)).ToArray();
            var output = attention is null ? sdpa.Forward(inputs[0], inputs[1], inputs[2], mask, scale) : attention(inputs[0], inputs[1], inputs[2]);
            // A fixed, uneven upstream gradient.
            output.to_type(ScalarType.Float32).mul(cos(arange(output.numel()).reshape(output.shape))).sum().backward();
            return (output.to_type(ScalarType.Float32), inputs.Select(t => t.grad!.to_type(ScalarType.Float32)).ToArray());
        }
        var exact = Run(ScalarType.Float32);
        var half = Run(ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, sdpa.Forward(q.to_type(ScalarType.BFloat16), k.to_type(ScalarType.BFloat16), v.to_type(ScalarType.BFloat16), mask, scale).dtype);
        // The yardstick up to DecomposedMaxKeys is the eager backend in bf16 (HF's eager attention: bf16
        // scores, float32 softmax); above it, LibTorch's fused kernel (default scale: the query is prescaled).
        var yardstick = length <= AutoSdpaAttention.DefaultDecomposedMaxKeys
            ? Run(ScalarType.BFloat16, (qq, kk, vv) => AttentionBackends.Create("eager").Forward(qq, kk, vv, mask, scale))
            : Run(ScalarType.BFloat16, (qq, kk, vv) => nn.functional.scaled_dot_product_attention(
                qq.mul(scale * Math.Sqrt(16)), kk.repeat_interleave(2, 1), vv.repeat_interleave(2, 1), is_casual: causal));
        var triples = new[] { (exact.Output, half.Output, yardstick.Output) }.Concat(exact.Grads.Select((g, i) => (g, half.Grads[i], yardstick.Grads[i])));
        foreach (var (a, b, c) in triples)
        {
            double ours = a.sub(b).abs().max().item<float>() / a.abs().max().item<float>();
            double theirs = a.sub(c).abs().max().item<float>() / a.abs().max().item<float>();
            // bf16 keeps 8 significant bits: errors of a few 2⁻⁸ relative to each tensor's scale.
            Assert.True(ours < 0.05 && ours <= 1.25 * theirs + 1e-3, $"relative error {ours}, yardstick {theirs}");
        }
    }

    [Fact]
    public void Sdpa_without_decomposition_is_LibTorchs_fused_kernel_in_bf16()
    {
        using var scope = NewDisposeScope();
        var (q, k, v) = Inputs(1, 4, 4, 9, 9, 16);
        var (q16, k16, v16) = (q.to_type(ScalarType.BFloat16), k.to_type(ScalarType.BFloat16), v.to_type(ScalarType.BFloat16));
        var fused = nn.functional.scaled_dot_product_attention(q16, k16, v16, is_casual: true);
        Assert.True(new AutoSdpaAttention(0).Forward(q16, k16, v16, AttentionMask.Causal, 0.25).equal(fused).all().item<bool>());
        Assert.True(new SdpaAttention().Forward(q16, k16, v16, AttentionMask.Causal, 0.25).equal(fused).all().item<bool>());
        Assert.False(new AutoSdpaAttention().Forward(q16, k16, v16, AttentionMask.Causal, 0.25).equal(fused).all().item<bool>());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AutoSdpaAttention(-1));
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

    // Mistral's window (HF: kv_idx > q_idx - sliding_window): a query sees itself and window − 1 keys before it.
    [Theory]
    [InlineData("eager", 3)]
    [InlineData("sdpa", 3)]
    [InlineData("eager", 1)]
    [InlineData("sdpa", 5)]
    public void Sliding_window_matches_per_position_reference(string name, int window)
    {
        var (q, k, v) = Inputs(2, 4, 2, 9, 9, 8);
        var mask = new AttentionMask { SlidingWindow = window };
        var output = AttentionBackends.Create(name).Forward(q, k, v, mask, 0.3);
        AssertClose(Naive(q, k, v, 0.3, (b, i, j) => j <= i && i - j < window), output);
        Assert.False(mask.IsPlain);
    }

    [Theory, MemberData(nameof(Backends))]
    public void Sliding_window_behind_a_cache_with_left_padding_matches_reference(string name)
    {
        // Two new queries at key positions 6 and 7 of 8; row 1 has two padded keys in front.
        var (q, k, v) = Inputs(2, 4, 2, 2, 8, 8);
        var padding = tensor(new[] { true, true, true, true, true, true, true, true, false, false, true, true, true, true, true, true }, [2, 8]);
        var mask = new AttentionMask { QueryOffset = 6, KeyPadding = padding, SlidingWindow = 4 };
        var output = AttentionBackends.Create(name).Forward(q, k, v, mask, 0.3);
        AssertClose(Naive(q, k, v, 0.3, (b, i, j) => j <= 6 + i && 6 + i - j < 4 && (b == 0 || j >= 2)), output);
    }

    [Theory, MemberData(nameof(Backends))]
    public void Sliding_window_in_bf16_follows_the_float32_computation(string name)
    {
        // bf16 on the CPU is AutoSdpa's decomposed path when the mask is plain; a window must leave it.
        var (q, k, v) = Inputs(1, 4, 2, 12, 12, 16);
        var mask = new AttentionMask { SlidingWindow = 3 };
        var expected = Naive(q, k, v, 0.25, (b, i, j) => j <= i && i - j < 3);
        var half = AttentionBackends.Create(name).Forward(q.to_type(ScalarType.BFloat16), k.to_type(ScalarType.BFloat16), v.to_type(ScalarType.BFloat16), mask, 0.25)
            .to_type(ScalarType.Float32).data<float>().ToArray();
        for (int i = 0; i < half.Length; i++)
            Assert.True(Math.Abs(expected[i] - half[i]) <= 0.03 + 0.02 * Math.Abs(expected[i]), $"[{i}] {expected[i]} vs {half[i]}");
    }
}
