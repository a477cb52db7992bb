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

    static void AssertSameParameters(LlamaForCausalLM a, LlamaForCausalLM b)
    {
        var sb = b.state_dict();
        foreach (var (name, t) in a.state_dict())
        {
            Assert.Equal(t.dtype, sb[name].dtype);
            Assert.True(t.equal(sb[name]).all().item<bool>(), $"{name} differs");
        }
    }

    // The fast path (no init, mapped weights) against the plain one: an initialised model whose weights are copied in.
    [Theory]
    [InlineData("stories260K")]
    [InlineData("tiny-gqa")]
    public void FromPretrained_equals_loading_into_an_initialised_model(string folder)
    {
        string dir = TestData.Path(folder);
        using var fast = LlamaForCausalLM.FromPretrained(dir);
        using var plain = new LlamaForCausalLM(LlamaConfigJson.Load(Path.Combine(dir, "config.json")), seed: 3);
        plain.LoadWeights(dir);
        AssertSameParameters(fast, plain);
        using var noGrad = no_grad();
        var ids = tensor(new long[] { 1, 403, 407, 261, 378, 284, 400, 261, 341 }.Select(x => x % fast.Config.VocabSize).ToArray()).unsqueeze(0);
        Assert.True(fast.forward(ids).equal(plain.forward(ids)).all().item<bool>());
    }

    [Fact]
    public void FromPretrained_keeps_bf16_unless_asked_and_converts_when_asked()
    {
        string dir = TestData.TempDirectory();
        using (var source = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory, dtype: ScalarType.BFloat16)) source.SavePretrained(dir);
        using var kept = LlamaForCausalLM.FromPretrained(dir);
        Assert.All(kept.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        using var widened = LlamaForCausalLM.FromPretrained(dir, dtype: ScalarType.Float32);
        Assert.All(widened.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        var wide = widened.state_dict();
        foreach (var (name, t) in kept.state_dict())
            Assert.True(t.to_type(ScalarType.Float32).equal(wide[name]).all().item<bool>(), name);
    }

    [Fact]
    public void Mapped_weights_are_copy_on_write_and_trainable()
    {
        string dir = TestData.TempDirectory();
        using (var source = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory)) source.SavePretrained(dir);
        byte[] before = File.ReadAllBytes(Path.Combine(dir, "model.safetensors"));
        using var model = LlamaForCausalLM.FromPretrained(dir);
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad));
        using (no_grad()) foreach (var p in model.parameters()) p.add_(1);
        // The model changed, the file did not: a fresh load still has the stored weights.
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
        using var again = LlamaForCausalLM.FromPretrained(dir);
        var fresh = again.state_dict();
        foreach (var (name, t) in model.state_dict())
            Assert.True(t.sub(1).allclose(fresh[name], rtol: 0, atol: 1e-6), name);
        // Gradients flow into mapped parameters as into any other.
        var loss = model.forward(tensor(new long[] { 1, 5, 9 }).unsqueeze(0)).sum();
        loss.backward();
        Assert.All(model.parameters(), p => Assert.NotNull(p.grad));
    }

    [SkippableFact]
    public void Cuda_device_without_cuda_is_a_clear_error()
    {
        Skip.If(cuda.is_available(), "LibTorch sees a CUDA device here; the error is for CPU-only machines.");
        var e = Assert.Throws<ArgumentException>(() => LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory, device: new Device("cuda:0")));
        Assert.Contains("Device cuda:0 was asked for, but CUDA is not available", e.Message);
        Assert.Contains("CUDA is not available", Assert.Throws<ArgumentException>(() => new LlamaForCausalLM(TinyConfig(), device: new Device("cuda"))).Message);
        var other = Assert.Throws<ArgumentException>(() => LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory, device: new Device(DeviceType.META)));
        Assert.Contains("use cpu or cuda[:N]", other.Message);
        using var cpu = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory, device: CPU);
        Assert.Equal(DeviceType.CPU, cpu.Device.type);
    }

    [Fact]
    public void Generation_config_is_read_with_the_model_and_written_back()
    {
        string dir = TestData.TempDirectory();
        using (var source = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory))
        {
            Assert.Null(source.GenerationConfig);
            source.SavePretrained(dir);
            Assert.False(File.Exists(Path.Combine(dir, GenerationConfig.FileName)));
        }
        File.WriteAllText(Path.Combine(dir, GenerationConfig.FileName), """{"eos_token_id": [2, 7], "do_sample": true, "top_p": 0.8, "transformers_version": "4.45.0"}""");
        using var model = LlamaForCausalLM.FromPretrained(dir);
        Assert.Equal([2, 7], model.GenerationConfig!.EosTokenIds);
        string copy = TestData.TempDirectory();
        model.SavePretrained(copy);
        var back = GenerationConfigJson.Load(Path.Combine(copy, GenerationConfig.FileName));
        Assert.Equal(GenerationConfigJson.ToJson(model.GenerationConfig), GenerationConfigJson.ToJson(back));
        Assert.Equal((true, 0.8), (back.DoSample, back.TopP));
        Assert.Equal("4.45.0", back.Extra["transformers_version"]!.GetValue<string>());

        // Ids are checked against the model's vocabulary (512), naming the file and field.
        string path = Path.Combine(dir, GenerationConfig.FileName);
        File.WriteAllText(path, """{"eos_token_id": [2, 600]}""");
        var e = Assert.Throws<LlamaConfigException>(() => LlamaForCausalLM.FromPretrained(dir));
        Assert.Equal($"{path}: eos_token_id: 600 is outside the vocabulary [0, 512).", e.Message);
    }

    static LlamaConfig MistralConfig(int layers, int? window) => TinyConfig() with
    {
        ModelType = "mistral", SlidingWindow = window, NumHiddenLayers = layers,
    };

    // One layer: token t's output depends on exactly the window's tokens, so it equals the last output
    // of a forward over those tokens alone at their own positions (an independent reference).
    [Theory, MemberData(nameof(Backends))]
    public void Sliding_window_one_layer_equals_a_forward_over_the_window_alone(string backend)
    {
        const int window = 4;
        using var model = new LlamaForCausalLM(MistralConfig(1, window), AttentionBackends.Create(backend), seed: 5);
        using var noGrad = no_grad();
        long[] ids = [1, 17, 42, 5, 88, 23, 61, 9, 30, 77];
        var full = model.forward(tensor(ids).unsqueeze(0))[0];
        for (int t = 0; t < ids.Length; t++)
        {
            int start = Math.Max(0, t - window + 1);
            var part = tensor(ids[start..(t + 1)]).unsqueeze(0);
            var positions = arange(start, t + 1, dtype: ScalarType.Int64).unsqueeze(0);
            var alone = model.Forward(part, positionIds: positions)[0, -1];
            Assert.True(full[t].allclose(alone, rtol: 1e-5, atol: 1e-5), $"position {t}");
        }
        // And the window matters: the same weights without it give other logits past the window.
        using var unwindowed = new LlamaForCausalLM(MistralConfig(1, null), AttentionBackends.Create(backend), seed: 5);
        var everything = unwindowed.forward(tensor(ids).unsqueeze(0))[0];
        Assert.True(everything.narrow(0, 0, window).allclose(full.narrow(0, 0, window), rtol: 1e-5, atol: 1e-5));
        Assert.False(everything[^1].allclose(full[^1], rtol: 1e-3, atol: 1e-3));
    }

    [Theory, MemberData(nameof(Backends))]
    public void Sliding_window_decoding_with_the_cache_equals_the_full_forward(string backend)
    {
        using var model = new LlamaForCausalLM(MistralConfig(2, 3), AttentionBackends.Create(backend), seed: 6);
        using var noGrad = no_grad();
        var ids = tensor(new long[] { 1, 17, 42, 5, 88, 23, 61, 9, 30, 77 }).unsqueeze(0);
        var full = model.forward(ids);
        using var cache = model.CreateCache(1, 16);
        var prefill = model.Forward(ids.narrow(1, 0, 2), cache: cache);
        var steps = Enumerable.Range(2, 8).Select(t => model.Forward(ids.narrow(1, t, 1), cache: cache)).ToList();
        Assert.True(cat([prefill, .. steps], 1).allclose(full, rtol: 1e-5, atol: 1e-5));
    }
}
