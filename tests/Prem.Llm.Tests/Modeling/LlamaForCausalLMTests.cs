using Prem.Llm.Attention;
using Prem.Llm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Modeling;

public class LlamaForCausalLMTests
{
    const float Tolerance = 1e-4f;
    static readonly TinyGqaGolden _golden = TinyGqaGolden.Load();

    public static TheoryData<string> Backends => new() { "eager", "sdpa" };

    static float MaxAbsDiff(Tensor logits, float[][] expected)
    {
        var actual = logits.to_type(ScalarType.Float32).data<float>().ToArray();
        int vocab = expected[0].Length;
        float worst = 0;
        for (int t = 0; t < expected.Length; t++)
            for (int v = 0; v < vocab; v++)
                worst = Math.Max(worst, Math.Abs(actual[t * vocab + v] - expected[t][v]));
        return worst;
    }

    [Theory, MemberData(nameof(Backends))]
    public void Unbatched_logits_match_golden_at_every_position(string backend)
    {
        using var model = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory, backend: AttentionBackends.Create(backend));
        using var noGrad = no_grad();
        for (int p = 0; p < _golden.Prompts.Length; p++)
        {
            using var scope = NewDisposeScope();
            var ids = tensor(_golden.Prompts[p].Select(x => (long)x).ToArray(), [1, _golden.Prompts[p].Length]);
            var logits = model.forward(ids);
            Assert.Equal(new long[] { 1, _golden.Prompts[p].Length, 512 }, logits.shape);
            Assert.True(MaxAbsDiff(logits, _golden.Logits[p]) < Tolerance, $"prompt {p}: max |Δ| = {MaxAbsDiff(logits, _golden.Logits[p])}");
        }
    }

    [Theory, MemberData(nameof(Backends))]
    public void Right_padded_batch_matches_golden_on_real_tokens(string backend)
    {
        using var model = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory, backend: AttentionBackends.Create(backend));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        int longest = _golden.Prompts.Max(p => p.Length);
        var ids = new long[_golden.Prompts.Length * longest];
        var mask = new long[ids.Length];
        for (int p = 0; p < _golden.Prompts.Length; p++)
            for (int t = 0; t < _golden.Prompts[p].Length; t++)
            {
                ids[p * longest + t] = _golden.Prompts[p][t];
                mask[p * longest + t] = 1;
            }
        var logits = model.Forward(tensor(ids, [_golden.Prompts.Length, longest]), attentionMask: tensor(mask, [_golden.Prompts.Length, longest]));
        for (int p = 0; p < _golden.Prompts.Length; p++)
        {
            var rows = logits[p].narrow(0, 0, _golden.Prompts[p].Length);
            Assert.True(MaxAbsDiff(rows, _golden.Logits[p]) < Tolerance, $"prompt {p}: max |Δ| = {MaxAbsDiff(rows, _golden.Logits[p])}");
        }
    }

    [Fact]
    public void Bf16_logits_stay_within_stated_tolerance_of_fp32()
    {
        // bf16 keeps 8 mantissa bits; through 2 layers the logits (|x| ≤ ~3) drift by a few 1e-2.
        using var fp32 = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory);
        using var bf16 = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory, dtype: ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, bf16.Dtype);
        using var noGrad = no_grad();
        var ids = tensor(_golden.Prompts[0].Select(x => (long)x).ToArray(), [1, _golden.Prompts[0].Length]);
        var a = fp32.forward(ids);
        var b = bf16.forward(ids);
        Assert.Equal(ScalarType.BFloat16, b.dtype);
        double diff = a.sub(b.to_type(ScalarType.Float32)).abs().max().item<float>();
        Assert.True(diff < 0.1, $"bf16 vs fp32 max |Δ| = {diff}");
        Assert.True(diff > 0, "bf16 should differ from fp32 somewhere");
    }

    [Fact]
    public void Tied_model_has_no_lm_head_and_uses_the_embedding()
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        Assert.True(model.Config.TieWordEmbeddings);
        Assert.DoesNotContain("lm_head.weight", model.state_dict().Keys);
        using var noGrad = no_grad();
        var hidden = randn(1, 3, 64);
        var expected = matmul(hidden, model.Model.EmbedTokens.weight!.t());
        Assert.True(model.Head(hidden).allclose(expected, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void State_dict_keys_are_hugging_face_names()
    {
        using var model = new LlamaForCausalLM(TinyConfig());
        var keys = model.state_dict().Keys.ToHashSet();
        string[] expected =
        [
            "model.embed_tokens.weight", "model.norm.weight", "lm_head.weight",
            "model.layers.0.input_layernorm.weight", "model.layers.0.post_attention_layernorm.weight",
            "model.layers.1.self_attn.q_proj.weight", "model.layers.1.self_attn.k_proj.weight",
            "model.layers.1.self_attn.v_proj.weight", "model.layers.1.self_attn.o_proj.weight",
            "model.layers.1.mlp.gate_proj.weight", "model.layers.1.mlp.up_proj.weight", "model.layers.1.mlp.down_proj.weight",
        ];
        foreach (var key in expected) Assert.Contains(key, keys);
        Assert.Equal(3 + 2 * 9, keys.Count);
    }

    [Fact]
    public void Initialization_follows_hf_and_is_seeded()
    {
        var config = TinyConfig() with { InitializerRange = 0.05, AttentionBias = true };
        using var a = new LlamaForCausalLM(config, seed: 7);
        using var b = new LlamaForCausalLM(config, seed: 7);
        using var c = new LlamaForCausalLM(config, seed: 8);
        var sa = a.state_dict();
        foreach (var (name, t) in sa)
            Assert.True(t.eq(b.state_dict()[name]).all().item<bool>(), $"{name} differs for the same seed");
        Assert.False(sa["model.layers.0.mlp.up_proj.weight"].eq(c.state_dict()["model.layers.0.mlp.up_proj.weight"]).all().item<bool>());
        Assert.True(sa["model.norm.weight"].eq(1).all().item<bool>(), "norms start at one");
        Assert.True(sa["model.layers.0.self_attn.q_proj.bias"].eq(0).all().item<bool>(), "biases start at zero");
        var w = sa["model.layers.0.mlp.gate_proj.weight"];
        Assert.InRange(w.std().item<float>(), 0.045, 0.055);
        Assert.InRange(w.mean().item<float>(), -0.005, 0.005);
    }

    internal static LlamaConfig TinyConfig() => new()
    {
        HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2,
        HeadDim = 8, VocabSize = 100, MaxPositionEmbeddings = 128, TorchDtype = "float32",
    };
}
