using Prem.Llm.Checkpoints;
using Prem.Llm.Modeling;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Checkpoints;

public class HfCheckpointTests
{
    static void AssertSameWeights(LlamaForCausalLM a, LlamaForCausalLM b)
    {
        var sa = a.state_dict();
        var sb = b.state_dict();
        Assert.Equal(sa.Keys.Order(), sb.Keys.Order());
        foreach (var (name, t) in sa)
        {
            Assert.Equal(t.dtype, sb[name].dtype);
            Assert.True(t.bytes.SequenceEqual(sb[name].bytes), $"{name} differs");
        }
    }

    [Theory]
    [InlineData("tiny-gqa")]
    [InlineData("stories260K")]
    public void Load_save_load_is_bit_exact(string folder)
    {
        string dir = TestData.TempDirectory();
        using var first = LlamaForCausalLM.FromPretrained(TestData.Path(folder));
        first.SavePretrained(dir);
        using var second = LlamaForCausalLM.FromPretrained(dir);
        AssertSameWeights(first, second);
        Assert.Equal(LlamaConfigJson.ToJson(first.Config), LlamaConfigJson.ToJson(second.Config));
        Assert.True(File.ReadAllBytes(Path.Combine(TestData.Path(folder), "model.safetensors")).Length > 0);
    }

    [Fact]
    public void Bf16_save_and_sharded_save_round_trip()
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("tiny-gqa"), dtype: ScalarType.BFloat16);
        string dir = TestData.TempDirectory();
        model.SavePretrained(dir, maxShardBytes: 60_000);
        Assert.True(File.Exists(Path.Combine(dir, "model.safetensors.index.json")));
        Assert.True(Directory.GetFiles(dir, "model-*-of-*.safetensors").Length > 1);
        Assert.Contains("\"bfloat16\"", File.ReadAllText(Path.Combine(dir, "config.json")));
        using var back = LlamaForCausalLM.FromPretrained(dir);
        Assert.Equal(ScalarType.BFloat16, back.Dtype);
        AssertSameWeights(model, back);
    }

    [Fact]
    public void Bf16_load_rounds_the_float32_weights()
    {
        using var fp32 = LlamaForCausalLM.FromPretrained(TestData.Path("tiny-gqa"));
        using var bf16 = LlamaForCausalLM.FromPretrained(TestData.Path("tiny-gqa"), dtype: ScalarType.BFloat16);
        var w = fp32.state_dict()["model.layers.0.self_attn.q_proj.weight"];
        Assert.True(w.to_type(ScalarType.BFloat16).eq(bf16.state_dict()["model.layers.0.self_attn.q_proj.weight"]).all().item<bool>(), "bf16 load = round(fp32)");
    }

    [Fact]
    public void Missing_and_unexpected_keys_are_all_listed()
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("tiny-gqa"));
        string dir = TestData.TempDirectory();
        var tensors = model.state_dict().Where(kv => kv.Key != "model.norm.weight" && kv.Key != "lm_head.weight")
            .Append(new("model.layers.9.extra.weight", zeros(2))).Append(new("model.rotary_emb.inv_freq", zeros(4)));
        SafeTensorsCheckpoint.Save(dir, tensors);
        File.Copy(TestData.Path("tiny-gqa", "config.json"), Path.Combine(dir, "config.json"));
        var e = Assert.Throws<HfCheckpointException>(() => LlamaForCausalLM.FromPretrained(dir));
        Assert.Contains("Missing (2): lm_head.weight, model.norm.weight", e.Message);
        Assert.Contains("Unexpected (1): model.layers.9.extra.weight", e.Message);
        Assert.DoesNotContain("inv_freq", e.Message);
    }

    [Fact]
    public void Misshapen_tensors_and_missing_folders_are_errors()
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("tiny-gqa"));
        string dir = TestData.TempDirectory();
        var tensors = model.state_dict().Select(kv => kv.Key == "model.norm.weight" ? new KeyValuePair<string, Tensor>(kv.Key, zeros(65)) : kv);
        SafeTensorsCheckpoint.Save(dir, tensors);
        File.Copy(TestData.Path("tiny-gqa", "config.json"), Path.Combine(dir, "config.json"));
        var e = Assert.Throws<HfCheckpointException>(() => LlamaForCausalLM.FromPretrained(dir));
        Assert.Contains("model.norm.weight has shape [65]", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => LlamaForCausalLM.FromPretrained("/nonexistent-model"));
    }

    [Fact]
    public void LoadWeights_fills_any_state_dict_and_ignores_only_what_it_is_told()
    {
        string dir = TestData.TempDirectory();
        SafeTensorsCheckpoint.Save(dir, new Dictionary<string, Tensor> { ["a"] = tensor(new[] { 1f, 2f }), ["extra"] = zeros(1) },
            HfCheckpoint.DefaultMaxShardBytes, ScalarType.Float32);
        using var a = zeros(2);
        var parameters = new Dictionary<string, Tensor> { ["a"] = a };

        var e = Assert.Throws<HfCheckpointException>(() => HfCheckpoint.LoadWeights(parameters, dir));
        Assert.Contains("Unexpected (1): extra", e.Message);

        HfCheckpoint.LoadWeights(parameters, dir, key => key == "extra");
        Assert.Equal(new[] { 1f, 2f }, a.data<float>().ToArray());
    }

    [Fact]
    public void LlamaForCausalLM_LoadWeights_refills_a_model_from_a_folder()
    {
        using var source = LlamaForCausalLM.FromPretrained(TestData.Path("tiny-gqa"));
        using var target = new LlamaForCausalLM(source.Config, seed: 7);
        target.LoadWeights(TestData.Path("tiny-gqa"));
        AssertSameWeights(source, target);
    }
}
