using TorchSharp;
using Prem.Llm.Modeling;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Modeling;

public class RotaryEmbeddingTests
{
    static LlamaConfig Config(RopeScaling? s = null, int maxPositions = 64) => LlamaForCausalLMTests.TinyConfig() with
    {
        MaxPositionEmbeddings = maxPositions, RopeScaling = s,
    };

    [Fact]
    public void Rotates_pairs_j_and_j_plus_half_by_position_times_frequency()
    {
        var config = Config();
        var rope = new RotaryEmbedding(config);
        var positions = tensor(new long[] { 0, 1, 5, 11 }).unsqueeze(0);
        var (cos, sin) = rope.Forward(positions, ScalarType.Float32);
        var x = randn(1, 1, 4, 8, generator: new TorchSharp.torch.Generator(3));
        var y = RotaryEmbedding.Apply(x, cos, sin);
        var xs = x.data<float>().ToArray();
        var ys = y.data<float>().ToArray();
        long[] pos = [0, 1, 5, 11];
        for (int t = 0; t < 4; t++)
            for (int j = 0; j < 4; j++)
            {
                double angle = pos[t] * Math.Pow(10000, -2.0 * j / 8);
                double a = xs[t * 8 + j], b = xs[t * 8 + j + 4];
                Assert.Equal(a * Math.Cos(angle) - b * Math.Sin(angle), ys[t * 8 + j], 4);
                Assert.Equal(b * Math.Cos(angle) + a * Math.Sin(angle), ys[t * 8 + j + 4], 4);
            }
    }

    [Fact]
    public void Repeated_calls_reuse_the_kept_frequencies_and_equal_a_fresh_embedding()
    {
        var config = Config();
        using var kept = new RotaryEmbedding(config);
        var positions = arange(12L).unsqueeze(0);
        var (cos1, sin1) = kept.Forward(positions, ScalarType.BFloat16);
        using (NewDisposeScope()) kept.Forward(positions, ScalarType.Float32); // a disposed scope must not free the kept tensor
        var (cos2, sin2) = kept.Forward(positions, ScalarType.BFloat16);
        using var fresh = new RotaryEmbedding(config);
        var (cos3, sin3) = fresh.Forward(positions, ScalarType.BFloat16);
        Assert.True(cos1.equal(cos2).all().item<bool>() && sin1.equal(sin2).all().item<bool>());
        Assert.True(cos1.equal(cos3).all().item<bool>() && sin1.equal(sin3).all().item<bool>());
        Assert.Equal(ScalarType.BFloat16, cos2.dtype);
    }

    [Fact]
    public void The_frequencies_are_in_no_state_dict_and_stay_float32_when_the_model_goes_bf16()
    {
        using var model = new LlamaForCausalLM(Config(), dtype: ScalarType.Float32, seed: 1);
        var ids = tensor(new long[] { 1, 5, 9, 3 }).unsqueeze(0);
        using var before = model.forward(ids).to_type(ScalarType.BFloat16);
        Assert.DoesNotContain(model.state_dict().Keys, k => k.Contains("inv_freq", StringComparison.Ordinal) || k.Contains("rotary", StringComparison.Ordinal));
        Assert.DoesNotContain(model.named_buffers(), b => b.name.Contains("rotary", StringComparison.Ordinal));
        model.to(ScalarType.BFloat16);
        using var reference = new LlamaForCausalLM(Config(), dtype: ScalarType.Float32, seed: 1);
        reference.to(ScalarType.BFloat16);
        Assert.True(model.forward(ids).equal(reference.forward(ids)).all().item<bool>());
    }

    [Fact]
    public void Attention_factor_multiplies_cos_and_sin()
    {
        var plain = new RotaryEmbedding(Config());
        var yarn = new RotaryEmbedding(Config(new RopeScaling { RopeType = "yarn", Factor = 1, AttentionFactor = 1.5 }));
        var positions = arange(10L).unsqueeze(0);
        var (c0, s0) = plain.Forward(positions, ScalarType.Float32);
        var (c1, s1) = yarn.Forward(positions, ScalarType.Float32);
        Assert.True(c1.allclose(c0.mul(1.5), rtol: 1e-5, atol: 1e-6));
        Assert.True(s1.allclose(s0.mul(1.5), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Dynamic_scaling_changes_nothing_within_the_original_length_and_applies_beyond()
    {
        var dynamic = new RotaryEmbedding(Config(new RopeScaling { RopeType = "dynamic", Factor = 2 }, maxPositions: 16));
        var plain = new RotaryEmbedding(Config(maxPositions: 16));
        var inside = arange(16L).unsqueeze(0);
        Assert.True(dynamic.Forward(inside, ScalarType.Float32).Cos.eq(plain.Forward(inside, ScalarType.Float32).Cos).all().item<bool>(), "identical within the original length");
        var beyond = arange(40L).unsqueeze(0);
        var (cd, _) = dynamic.Forward(beyond, ScalarType.Float32);
        var (cp, _) = plain.Forward(beyond, ScalarType.Float32);
        // Position 0 is unrotated either way; later positions rotate more slowly under NTK scaling.
        Assert.True(cd[0, 0].allclose(cp[0, 0]));
        Assert.False(cd[0, 30].allclose(cp[0, 30], rtol: 1e-3, atol: 1e-4));
    }

    [Fact]
    public void Cos_and_sin_follow_the_requested_dtype()
    {
        var rope = new RotaryEmbedding(Config());
        var (cos, sin) = rope.Forward(arange(4L).unsqueeze(0), ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, cos.dtype);
        Assert.Equal(ScalarType.BFloat16, sin.dtype);
    }
}
