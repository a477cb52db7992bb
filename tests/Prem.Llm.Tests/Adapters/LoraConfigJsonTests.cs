using Prem.Llm.Adapters;

namespace Prem.Llm.Tests.Adapters;

public class LoraConfigJsonTests
{
    // adapter_config.json as PEFT 0.13 writes it for a TRL SFT run (fields PEFT writes, in its order).
    private const string PeftWritten = """
        {
          "alpha_pattern": {},
          "auto_mapping": null,
          "base_model_name_or_path": "premai-io/prem-1B",
          "bias": "none",
          "fan_in_fan_out": false,
          "inference_mode": true,
          "init_lora_weights": true,
          "layer_replication": null,
          "layers_pattern": null,
          "layers_to_transform": null,
          "loftq_config": {},
          "lora_alpha": 32,
          "lora_dropout": 0.05,
          "megatron_config": null,
          "megatron_core": "megatron.core",
          "modules_to_save": ["embed_tokens", "lm_head"],
          "peft_type": "LORA",
          "r": 16,
          "rank_pattern": {},
          "revision": null,
          "target_modules": ["v_proj", "q_proj", "o_proj", "k_proj"],
          "task_type": "CAUSAL_LM",
          "use_dora": false,
          "use_rslora": true
        }
        """;

    [Fact]
    public void Reads_a_peft_written_config()
    {
        var c = LoraConfigJson.Parse(PeftWritten, "adapter_config.json");
        Assert.Equal(16, c.R);
        Assert.Equal(32, c.Alpha);
        Assert.Equal(0.05, c.Dropout);
        Assert.Equal(["v_proj", "q_proj", "o_proj", "k_proj"], c.TargetModules);
        Assert.Equal(["embed_tokens", "lm_head"], c.ModulesToSave);
        Assert.True(c.UseRslora);
        Assert.Equal(LoraInitialization.Default, c.Initialization);
        Assert.Equal("premai-io/prem-1B", c.BaseModelNameOrPath);
        Assert.Equal(32 / 4.0, c.Scaling);
    }

    [Theory]
    [InlineData(LoraInitialization.Default)]
    [InlineData(LoraInitialization.Gaussian)]
    [InlineData(LoraInitialization.Random)]
    public void Round_trips(LoraInitialization init)
    {
        var c = new LoraConfig { R = 12, Alpha = 7.5, Dropout = 0.1, TargetModules = ["down_proj", "lm_head"], ModulesToSave = ["embed_tokens"], Initialization = init, BaseModelNameOrPath = "base" };
        var back = LoraConfigJson.Parse(LoraConfigJson.ToJson(c));
        Assert.Equal(c.R, back.R);
        Assert.Equal(c.Alpha, back.Alpha);
        Assert.Equal(c.Dropout, back.Dropout);
        Assert.Equal(c.TargetModules, back.TargetModules);
        Assert.Equal(c.ModulesToSave, back.ModulesToSave);
        Assert.Equal(init, back.Initialization);
        Assert.Equal("base", back.BaseModelNameOrPath);
    }

    [Fact]
    public void All_linear_expands_to_every_linear_layer_but_the_head()
    {
        var c = LoraConfigJson.Parse("""{"peft_type": "LORA", "r": 8, "target_modules": "all-linear"}""");
        Assert.Equal(LoraConfig.AllLinear, c.TargetModules);
    }

    [Theory]
    [InlineData("\"peft_type\": \"IA3\"", "peft_type")]
    [InlineData("\"use_dora\": true", "use_dora")]
    [InlineData("\"bias\": \"all\"", "bias")]
    [InlineData("\"fan_in_fan_out\": true", "fan_in_fan_out")]
    [InlineData("\"rank_pattern\": {\"q_proj\": 4}", "rank_pattern")]
    [InlineData("\"layers_to_transform\": [0, 1]", "layers_to_transform")]
    [InlineData("\"target_modules\": \".*proj\"", "target_modules")]
    [InlineData("\"target_modules\": [\"c_attn\"]", "target_modules")]
    [InlineData("\"r\": 0", "r")]
    [InlineData("\"r\": 2.5", "r")]
    [InlineData("\"lora_alpha\": \"16\"", "lora_alpha")]
    [InlineData("\"lora_dropout\": 1.5", "lora_dropout")]
    [InlineData("\"init_lora_weights\": \"pissa\"", "init_lora_weights")]
    [InlineData("\"modules_to_save\": [\"norm\"]", "modules_to_save")]
    [InlineData("\"task_type\": \"SEQ_CLS\"", "task_type")]
    public void Unsupported_or_wrong_fields_are_refused_naming_the_field_and_file(string field, string name)
    {
        var obj = System.Text.Json.Nodes.JsonNode.Parse(PeftWritten)!.AsObject();
        var patch = System.Text.Json.Nodes.JsonNode.Parse("{" + field + "}")!.AsObject();
        foreach (var (k, v) in patch.ToList()) { patch.Remove(k); obj[k] = v; }
        var e = Assert.Throws<LoraException>(() => LoraConfigJson.Parse(obj.ToJsonString(), "/x/adapter_config.json"));
        Assert.Contains(name, e.Message);
        Assert.StartsWith("/x/adapter_config.json: ", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[1]")]
    [InlineData("{\"r\": 8, \"target_modules\": [\"q_proj\"]}")]
    [InlineData("{\"peft_type\": \"LORA\", \"r\": 8}")]
    [InlineData("{\"peft_type\": \"LORA\", \"r\": 8, \"r\": 9, \"target_modules\": [\"q_proj\"]}")]
    public void Malformed_files_are_refused(string json) =>
        Assert.Throws<LoraException>(() => LoraConfigJson.Parse(json, "f.json"));

    [Fact]
    public void Mutated_files_fail_only_with_a_lora_exception()
    {
        // A fixed seeded sample of byte flips, insertions and truncations of a PEFT-written file: each parses or is
        // refused with LoraException (never a JSON, cast or index exception escaping).
        var random = new Random(20);
        byte[] original = System.Text.Encoding.UTF8.GetBytes(PeftWritten);
        int parsed = 0, refused = 0;
        for (int i = 0; i < 2000; i++)
        {
            var bytes = original.ToList();
            for (int k = random.Next(1, 4); k > 0; k--)
            {
                int at = random.Next(bytes.Count);
                switch (random.Next(3))
                {
                    case 0: bytes[at] = (byte)"{}[]\":,0-9.etfn \"x"[random.Next(18)]; break;
                    case 1: bytes.Insert(at, (byte)random.Next(32, 127)); break;
                    default: bytes.RemoveRange(at, bytes.Count - at); break;
                }
                if (bytes.Count == 0) break;
            }
            string text = System.Text.Encoding.UTF8.GetString(bytes.ToArray());
            try { LoraConfigJson.Parse(text, "fuzz.json"); parsed++; }
            catch (LoraException e) { Assert.StartsWith("fuzz.json: ", e.Message); refused++; }
        }
        Assert.True(parsed > 0 && refused > 0, $"{parsed} parsed, {refused} refused");
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var e = Assert.Throws<LoraException>(() => LoraConfigJson.Load("/nonexistent/adapter_config.json"));
        Assert.Contains("/nonexistent/adapter_config.json", e.Message);
    }
}
