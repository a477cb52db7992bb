using Prem.Llm.Adapters;
using Prem.Llm.Checkpoints;
using Prem.Llm.Objectives;
using Prem.Llm.Tests.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Adapters;

public class LoraModelTests
{
    [Fact]
    public void Zero_B_at_init_gives_the_base_logits_exactly()
    {
        using var model = TrainingFixtures.TinyModel(seed: 2);
        using var ids = LoraFixtures.Ids();
        var baseLogits = LoraFixtures.Logits(model, ids);
        using var lora = LoraModel.Apply(model, LoraFixtures.All(), seed: 5);
        Assert.Equal(baseLogits, LoraFixtures.Logits(model, ids));
    }

    [Fact]
    public void Disabled_adapters_give_the_base_logits_exactly_and_enabled_ones_change_them()
    {
        using var model = TrainingFixtures.TinyModel(seed: 2);
        using var ids = LoraFixtures.Ids();
        var baseLogits = LoraFixtures.Logits(model, ids);
        using var lora = LoraModel.Apply(model, LoraFixtures.All(init: LoraInitialization.Random), seed: 5);
        var adapted = LoraFixtures.Logits(model, ids);
        Assert.True(TrainingFixtures.MaxAbsDiff(baseLogits, adapted) > 1e-3);
        using (lora.Disable()) Assert.Equal(baseLogits, LoraFixtures.Logits(model, ids));
        Assert.True(lora.Enabled);
        Assert.Equal(adapted, LoraFixtures.Logits(model, ids));
    }

    [Fact]
    public void Adapter_forward_is_W_x_plus_scaled_B_A_x()
    {
        // One layer by hand: the q projection's output with the adapter, against W x + (α/r) B A x.
        using var model = TrainingFixtures.TinyModel(seed: 2);
        var q = model.named_modules().Single(m => m.name == "model.layers.0.self_attn.q_proj").module as TorchSharp.Modules.Linear;
        using var lora = LoraModel.Apply(model, LoraFixtures.All(r: 3, alpha: 6, init: LoraInitialization.Random), seed: 9);
        var state = model.state_dict();
        using var x = randn(5, 32);
        using var noGrad = no_grad();
        using var got = q!.call(x);
        var a = state["model.layers.0.self_attn.q_proj.lora_A.weight"];
        var b = state["model.layers.0.self_attn.q_proj.lora_B.weight"];
        Assert.Equal([3L, 32L], a.shape);
        Assert.Equal([32L, 3L], b.shape);
        using var want = x.matmul(q.weight.t()).add(x.matmul(a.t()).matmul(b.t()).mul(6.0 / 3));
        Assert.True(got.allclose(want, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Merged_forward_equals_the_adapter_forward_and_unmerge_restores_the_base()
    {
        using var model = TrainingFixtures.TinyModel(seed: 2);
        using var ids = LoraFixtures.Ids();
        var baseLogits = LoraFixtures.Logits(model, ids);
        using var lora = LoraModel.Apply(model, LoraFixtures.All(init: LoraInitialization.Random), seed: 5);
        var adapted = LoraFixtures.Logits(model, ids);
        lora.Merge();
        Assert.True(lora.Merged);
        Assert.True(TrainingFixtures.MaxAbsDiff(adapted, LoraFixtures.Logits(model, ids)) < 1e-5);
        lora.Unmerge();
        Assert.True(TrainingFixtures.MaxAbsDiff(adapted, LoraFixtures.Logits(model, ids)) < 1e-5);
        using (lora.Disable()) Assert.True(TrainingFixtures.MaxAbsDiff(baseLogits, LoraFixtures.Logits(model, ids)) < 1e-5);
        // Switching merged adapters off unmerges them first, as PEFT does.
        lora.Merge();
        lora.Enabled = false;
        Assert.False(lora.Merged);
        Assert.True(TrainingFixtures.MaxAbsDiff(baseLogits, LoraFixtures.Logits(model, ids)) < 1e-5);
    }

    [Fact]
    public void Dropout_applies_to_the_adapter_input_in_training_mode_only()
    {
        using var model = TrainingFixtures.TinyModel(seed: 2);
        using var ids = LoraFixtures.Ids();
        using var lora = LoraModel.Apply(model, LoraFixtures.All(init: LoraInitialization.Random) with { Dropout = 0.5 }, seed: 5);
        Assert.NotEqual(LoraFixtures.Logits(model, ids), LoraFixtures.Logits(model, ids));
        model.eval();
        var evaluated = LoraFixtures.Logits(model, ids);
        Assert.Equal(evaluated, LoraFixtures.Logits(model, ids));
        lora.Merge();
        Assert.True(TrainingFixtures.MaxAbsDiff(evaluated, LoraFixtures.Logits(model, ids)) < 1e-5);
        model.train();
    }

    [Fact]
    public void Only_adapters_and_saved_copies_are_trainable()
    {
        using var model = TrainingFixtures.TinyModel(seed: 2);
        using var lora = LoraModel.Apply(model, LoraFixtures.All(r: 4, save: "embed_tokens") with { TargetModules = ["q_proj", "down_proj"] });
        var trainable = lora.TrainableParameters.Select(p => p.Name).ToList();
        Assert.All(trainable, n => Assert.True(n.Contains(".lora_A.") || n.Contains(".lora_B.") || n.Contains(".modules_to_save."), n));
        // 2 layers × (q: 4·(32+32), down: 4·(64+32)) + the 48×32 embedding copy.
        Assert.Equal(2 * (4 * 64 + 4 * 96) + 48 * 32, lora.TrainableParameterCount);
        Assert.Equal(2 * 2 * 2 + 1, trainable.Count);
        lora.Dispose();
        Assert.All(model.named_parameters(), p => Assert.True(p.parameter.requires_grad));
        Assert.DoesNotContain(model.state_dict().Keys, LoraModel.IsAdapterKey);
    }

    [Fact]
    public void Init_follows_peft_kaiming_uniform_A_and_zero_B_or_gaussian()
    {
        using var model = TrainingFixtures.TinyModel(seed: 2);
        using (var lora = LoraModel.Apply(model, LoraFixtures.All(r: 8) with { TargetModules = ["gate_proj"] }, seed: 1))
        {
            var state = model.state_dict();
            var a = state["model.layers.0.mlp.gate_proj.lora_A.weight"].data<float>().ToArray();
            double bound = 1 / Math.Sqrt(32);
            Assert.All(a, v => Assert.InRange(v, -bound, bound));
            Assert.True(a.Max(Math.Abs) > 0.9 * bound);
            Assert.All(state["model.layers.0.mlp.gate_proj.lora_B.weight"].data<float>().ToArray(), v => Assert.Equal(0f, v));
        }
        using (var lora = LoraModel.Apply(model, LoraFixtures.All(r: 8, init: LoraInitialization.Gaussian) with { TargetModules = ["up_proj"] }, seed: 1))
        {
            var a = model.state_dict()["model.layers.1.mlp.up_proj.lora_A.weight"];
            Assert.InRange(a.std().item<float>(), 0.8 / 8, 1.2 / 8);
            Assert.Equal(0f, model.state_dict()["model.layers.1.mlp.up_proj.lora_B.weight"].abs().max().item<float>());
        }
    }

    [Fact]
    public void Rslora_scales_by_alpha_over_sqrt_r()
    {
        using var model = TrainingFixtures.TinyModel(seed: 2);
        using var ids = LoraFixtures.Ids();
        var baseLogits = LoraFixtures.Logits(model, ids);
        float[] Delta(bool rs)
        {
            using var lora = LoraModel.Apply(model, LoraFixtures.All(r: 16, alpha: 1, init: LoraInitialization.Random, rslora: rs) with { TargetModules = ["lm_head"] }, seed: 3);
            Assert.Equal(rs ? 1 / 4.0 : 1 / 16.0, lora.Config.Scaling);
            return LoraFixtures.Logits(model, ids).Zip(baseLogits, (x, y) => x - y).ToArray();
        }
        var plain = Delta(false);
        var rs = Delta(true);
        // The head's adapter is linear in the scaling: the rsLoRA delta is √16 = 4 times the plain one.
        for (int i = 0; i < plain.Length; i += 37) Assert.Equal(4 * plain[i], rs[i], 4);
    }

    [Fact]
    public void Tied_embeddings_refuse_an_adapter_on_lm_head()
    {
        using var model = TrainingFixtures.TinyModel(seed: 2, tied: true);
        var e = Assert.Throws<LoraException>(() => LoraModel.Apply(model, LoraFixtures.All()));
        Assert.Contains("lm_head", e.Message);
        Assert.Contains("tie_word_embeddings", e.Message);
        var save = Assert.Throws<LoraException>(() => LoraModel.Apply(model, LoraFixtures.All(save: "lm_head") with { TargetModules = ["q_proj"] }));
        Assert.Contains("modules_to_save", save.Message);
        // Nothing was attached: a valid config still applies.
        using var lora = LoraModel.Apply(model, LoraFixtures.All() with { TargetModules = LoraConfig.AllLinear });
        Assert.Same(lora, LoraModel.Of(model));
    }

    [Fact]
    public void Saved_embedding_copy_is_used_when_enabled_and_the_original_when_disabled()
    {
        using var model = TrainingFixtures.TinyModel(seed: 2, tied: true);
        using var ids = LoraFixtures.Ids();
        var baseLogits = LoraFixtures.Logits(model, ids);
        using var lora = LoraModel.Apply(model, LoraFixtures.All(save: "embed_tokens") with { TargetModules = ["q_proj"] });
        Assert.Equal(baseLogits, LoraFixtures.Logits(model, ids));
        var copy = lora.TrainableParameters.Single(p => p.Name == "model.embed_tokens.modules_to_save.weight").Param;
        using (no_grad()) copy.add_(0.5);
        Assert.True(TrainingFixtures.MaxAbsDiff(baseLogits, LoraFixtures.Logits(model, ids)) > 1e-3);
        using (lora.Disable()) Assert.Equal(baseLogits, LoraFixtures.Logits(model, ids));
    }

    [Fact]
    public void Save_then_load_gives_identical_logits()
    {
        string dir = TestData.TempDirectory();
        using var ids = LoraFixtures.Ids();
        float[] trained;
        using (var model = TrainingFixtures.TinyModel(seed: 2))
        using (var lora = LoraModel.Apply(model, LoraFixtures.All(init: LoraInitialization.Random, save: "embed_tokens") with { TargetModules = ["q_proj", "v_proj", "down_proj", "lm_head"] }, seed: 4))
        {
            using (no_grad()) lora.TrainableParameters.Single(p => p.Name.Contains("modules_to_save")).Param.mul_(1.5);
            trained = LoraFixtures.Logits(model, ids);
            lora.Save(dir);
        }
        using var fresh = TrainingFixtures.TinyModel(seed: 2);
        using var loaded = LoraModel.Load(fresh, dir);
        Assert.Equal(trained, LoraFixtures.Logits(fresh, ids));
        Assert.Equal(["q_proj", "v_proj", "down_proj", "lm_head"], loaded.Config.TargetModules);
    }

    [Fact]
    public void Saved_keys_and_shapes_are_peft_s()
    {
        string dir = TestData.TempDirectory();
        using var model = TrainingFixtures.TinyModel(seed: 2);
        using var lora = LoraModel.Apply(model, LoraFixtures.All(r: 4, save: "embed_tokens") with { TargetModules = LoraConfig.AllLinear });
        lora.Save(dir);
        // PEFT's pattern, written out from its documentation: base_model.model.<module path>.lora_{A,B}.weight, A [r, in], B [out, r];
        // a module to save under base_model.model.<module path>.weight.
        var expected = new Dictionary<string, long[]> { ["base_model.model.model.embed_tokens.weight"] = [48, 32] };
        (string Block, string Name, long In, long Out)[] linears =
        [
            ("self_attn", "q_proj", 32, 32), ("self_attn", "k_proj", 32, 16), ("self_attn", "v_proj", 32, 16), ("self_attn", "o_proj", 32, 32),
            ("mlp", "gate_proj", 32, 64), ("mlp", "up_proj", 32, 64), ("mlp", "down_proj", 64, 32),
        ];
        for (int layer = 0; layer < 2; layer++)
            foreach (var (block, name, inF, outF) in linears)
            {
                expected[$"base_model.model.model.layers.{layer}.{block}.{name}.lora_A.weight"] = [4, inF];
                expected[$"base_model.model.model.layers.{layer}.{block}.{name}.lora_B.weight"] = [outF, 4];
            }
        using var file = SafeTensorsFile.Open(Path.Combine(dir, "adapter_model.safetensors"));
        Assert.Equal(expected.Keys.Order(), file.Tensors.Select(t => t.Name).Order());
        foreach (var t in file.Tensors) Assert.Equal(expected[t.Name], t.Shape);
        Assert.Equal("pt", file.Metadata["format"]);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "adapter_config.json")))!;
        Assert.Equal("LORA", (string?)json["peft_type"]);
        Assert.Equal("CAUSAL_LM", (string?)json["task_type"]);
        Assert.Equal(4, (int)json["r"]!);
        Assert.Equal("none", (string?)json["bias"]);
    }

    [Fact]
    public void Bad_adapter_files_are_refused_naming_file_and_key()
    {
        string dir = TestData.TempDirectory();
        using var model = TrainingFixtures.TinyModel(seed: 2);
        var config = LoraFixtures.All(r: 4) with { TargetModules = ["q_proj"] };
        using (var source = TrainingFixtures.TinyModel(seed: 2))
        using (var lora = LoraModel.Apply(source, config)) lora.Save(dir);
        string weights = Path.Combine(dir, "adapter_model.safetensors");
        var tensors = new Dictionary<string, Tensor>();
        using (var file = SafeTensorsFile.Open(weights))
            foreach (var t in file.Tensors) tensors[t.Name] = file.Read(t.Name);

        // A missing key.
        const string dropped = "base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight";
        SafeTensorsWriter.Write(weights, tensors.Where(kv => kv.Key != dropped));
        var e = Assert.Throws<LoraException>(() => LoraModel.Load(model, dir));
        Assert.Contains(dropped, e.Message);
        Assert.Contains("adapter_model.safetensors", e.Message);
        Assert.Null(LoraModel.Of(model));

        // An unexpected key.
        SafeTensorsWriter.Write(weights, tensors.Append(new("base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight", zeros(4, 32))));
        Assert.Contains("unexpected 1: base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight", Assert.Throws<LoraException>(() => LoraModel.Load(model, dir)).Message);

        // A wrong rank: the config says 4, the tensors are rank 2.
        SafeTensorsWriter.Write(weights, tensors.Select(kv => new KeyValuePair<string, Tensor>(kv.Key,
            kv.Key.Contains("lora_A") ? kv.Value.narrow(0, 0, 2) : kv.Value.narrow(1, 0, 2))));
        var rank = Assert.Throws<LoraException>(() => LoraModel.Load(model, dir));
        Assert.Contains("r = 4", rank.Message);
        Assert.Contains("[2, 32]", rank.Message);

        // No weights file at all, and a truncated one.
        File.Delete(weights);
        Assert.Contains("adapter_model.safetensors not found", Assert.Throws<LoraException>(() => LoraModel.Load(model, dir)).Message);
        File.WriteAllBytes(weights, [1, 2, 3]);
        Assert.Throws<SafeTensorsFormatException>(() => LoraModel.Load(model, dir));
        Assert.Null(LoraModel.Of(model));
    }

    [Fact]
    public void Merged_export_loads_as_a_plain_model_with_the_adapter_s_logits()
    {
        string dir = TestData.TempDirectory();
        using var ids = LoraFixtures.Ids();
        using var model = TrainingFixtures.TinyModel(seed: 2);
        using var lora = LoraModel.Apply(model, LoraFixtures.All(init: LoraInitialization.Random, save: "embed_tokens"), seed: 4);
        using (no_grad()) lora.TrainableParameters.Single(p => p.Name.Contains("modules_to_save")).Param.mul_(1.5);
        var adapted = LoraFixtures.Logits(model, ids);
        lora.SaveMerged(dir);
        Assert.False(lora.Merged);
        using var merged = Prem.Llm.Modeling.LlamaForCausalLM.FromPretrained(dir);
        Assert.True(TrainingFixtures.MaxAbsDiff(adapted, LoraFixtures.Logits(merged, ids)) < 1e-5);
    }

    [Fact]
    public void Merged_export_of_a_tied_model_with_a_trained_embedding_copy_is_untied_and_exact()
    {
        string dir = TestData.TempDirectory();
        using var ids = LoraFixtures.Ids();
        using var model = TrainingFixtures.TinyModel(seed: 2, tied: true);
        using var lora = LoraModel.Apply(model, LoraFixtures.All(init: LoraInitialization.Random, save: "embed_tokens") with { TargetModules = LoraConfig.AllLinear }, seed: 4);
        using (no_grad()) lora.TrainableParameters.Single(p => p.Name.Contains("modules_to_save")).Param.mul_(1.5);
        var adapted = LoraFixtures.Logits(model, ids);
        lora.SaveMerged(dir);
        using var merged = Prem.Llm.Modeling.LlamaForCausalLM.FromPretrained(dir);
        Assert.False(merged.Config.TieWordEmbeddings);
        Assert.True(TrainingFixtures.MaxAbsDiff(adapted, LoraFixtures.Logits(merged, ids)) < 1e-5);
    }

    [Fact]
    public void Fused_loss_with_a_head_adapter_equals_the_loss_of_the_full_logits()
    {
        using var model = TrainingFixtures.TinyModel(seed: 2);
        using var lora = LoraModel.Apply(model, LoraFixtures.All(init: LoraInitialization.Random) with { TargetModules = ["lm_head", "q_proj"] }, seed: 4);
        using var ids = LoraFixtures.Ids();
        using var batch = TrainingFixtures.LmBatch(ids);
        var fused = new CausalLmObjective().Compute(model, batch, ids.shape[0] * (ids.shape[1] - 1)).Loss.item<float>();
        using var noGrad = no_grad();
        using var logits = model.Forward(ids);
        using var full = nn.functional.cross_entropy(logits[.., ..^1].reshape(-1, 48), ids[.., 1..].reshape(-1));
        Assert.Equal(full.item<float>(), fused, 4);
    }
}
