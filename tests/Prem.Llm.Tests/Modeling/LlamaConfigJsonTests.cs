using System.Text.Json.Nodes;
using Prem.Llm.Modeling;

namespace Prem.Llm.Tests.Modeling;

public class LlamaConfigJsonTests
{
    const string Minimal = """
        {"hidden_size": 64, "intermediate_size": 172, "num_hidden_layers": 2, "num_attention_heads": 8,
         "num_key_value_heads": 2, "vocab_size": 512}
        """;

    static string With(string key, string json)
    {
        var o = JsonNode.Parse(Minimal)!.AsObject();
        o[key] = JsonNode.Parse(json);
        return o.ToJsonString();
    }

    [Fact]
    public void Reads_the_golden_tiny_gqa_config()
    {
        var c = LlamaConfigJson.Load(TestData.Path("tiny-gqa", "config.json"));
        Assert.Equal((64, 172, 2, 8, 2, 8, 512, 64), (c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim, c.VocabSize, c.MaxPositionEmbeddings));
        Assert.Equal(1e-5, c.RmsNormEps);
        Assert.Equal(10000.0, c.RopeTheta);
        Assert.Null(c.RopeScaling);
        Assert.False(c.TieWordEmbeddings);
        Assert.Equal(1, c.BosTokenId);
        Assert.Equal([2], c.EosTokenIds);
        Assert.Equal("float32", c.TorchDtype);
        Assert.True(c.Extra.ContainsKey("use_cache"));
    }

    [Fact]
    public void Round_trips_through_json_with_scaling_and_extras()
    {
        var config = LlamaConfig.Prem1B with
        {
            RopeScaling = new RopeScaling { RopeType = "yarn", Factor = 4, OriginalMaxPositionEmbeddings = 2048, BetaFast = 16 },
            EosTokenIds = [2, 32002], PadTokenId = 32003, VocabSize = 32004,
            Extra = new Dictionary<string, JsonNode?> { ["transformers_version"] = "4.46.0" },
        };
        var back = LlamaConfigJson.Parse(LlamaConfigJson.ToJson(config));
        Assert.Equal(config.RopeScaling, back.RopeScaling);
        Assert.Equal(config.EosTokenIds, back.EosTokenIds);
        Assert.Equal(LlamaConfigJson.ToJson(config), LlamaConfigJson.ToJson(back));
        Assert.Equal("4.46.0", back.Extra["transformers_version"]!.GetValue<string>());
    }

    [Fact]
    public void Defaults_follow_hf()
    {
        var c = LlamaConfigJson.Parse("""{"hidden_size": 64, "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 4, "vocab_size": 10}""");
        Assert.Equal(4, c.NumKeyValueHeads);
        Assert.Equal(16, c.HeadDim);
        Assert.Equal(1e-6, c.RmsNormEps);
        Assert.Equal(2048, c.MaxPositionEmbeddings);
    }

    [Theory]
    [InlineData("rope_scaling", """{"type": "linear", "factor": 4.0}""", "linear")]
    [InlineData("rope_scaling", """{"rope_type": "dynamic", "factor": 2.0}""", "dynamic")]
    [InlineData("rope_parameters", """{"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192, "rope_theta": 500000.0}""", "llama3")]
    public void Reads_old_and_new_rope_keys(string key, string json, string type)
    {
        var c = LlamaConfigJson.Parse(With(key, json));
        Assert.Equal(type, c.RopeScaling!.RopeType);
        if (type == "llama3") Assert.Equal(500000.0, c.RopeTheta);
    }

    [Fact]
    public void Plain_rope_parameters_mean_no_scaling()
    {
        var c = LlamaConfigJson.Parse(With("rope_parameters", """{"rope_type": "default", "rope_theta": 20000.0}"""));
        Assert.Null(c.RopeScaling);
        Assert.Equal(20000.0, c.RopeTheta);
    }

    [Theory]
    [InlineData("num_key_value_heads", "3", "num_key_value_heads", "3")]
    [InlineData("hidden_size", "\"64\"", "hidden_size", "expected an integer")]
    [InlineData("vocab_size", "-5", "vocab_size", "-5")]
    [InlineData("rms_norm_eps", "0", "rms_norm_eps", "0")]
    [InlineData("head_dim", "7", "head_dim", "odd")]
    [InlineData("bos_token_id", "600", "bos_token_id", "600")]
    [InlineData("eos_token_id", "[2, \"x\"]", "eos_token_id[1]", "integer")]
    [InlineData("torch_dtype", "\"int8\"", "torch_dtype", "int8")]
    [InlineData("hidden_act", "\"gelu\"", "hidden_act", "gelu")]
    [InlineData("rope_scaling", """{"rope_type": "nope", "factor": 2}""", "rope_scaling.rope_type", "nope")]
    [InlineData("rope_scaling", """{"rope_type": "linear"}""", "rope_scaling.factor", "required")]
    [InlineData("rope_scaling", """{"rope_type": "longrope", "short_factor": [1, 2], "long_factor": [1, 2, 3, 4]}""", "rope_scaling.short_factor", "4")]
    [InlineData("rope_scaling", "[1]", "rope_scaling", "object")]
    [InlineData("tie_word_embeddings", "1", "tie_word_embeddings", "true or false")]
    public void Invalid_fields_are_named_with_their_value(string key, string json, string field, string fragment)
    {
        var e = Assert.Throws<LlamaConfigException>(() => LlamaConfigJson.Parse(With(key, json), "x/config.json"));
        Assert.Equal(field, e.Field);
        Assert.Contains(fragment, e.Message);
        Assert.Contains("x/config.json", e.Message);
    }

    [Fact]
    public void Missing_required_fields_and_bad_json_are_errors()
    {
        Assert.Equal("vocab_size", Assert.Throws<LlamaConfigException>(() =>
            LlamaConfigJson.Parse("""{"hidden_size": 64, "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 4}""")).Field);
        Assert.Equal("(root)", Assert.Throws<LlamaConfigException>(() => LlamaConfigJson.Parse("{not json")).Field);
        Assert.Equal("(root)", Assert.Throws<LlamaConfigException>(() => LlamaConfigJson.Parse("[1, 2]")).Field);
        Assert.Throws<FileNotFoundException>(() => LlamaConfigJson.Load("/nonexistent/config.json"));
    }

    [Theory]
    // name, layers, hidden, heads, kv heads, head_dim, vocab, tied, rope type, sliding window
    [InlineData("Llama32_1B", 16, 2048, 32, 8, 64, 128256, true, "llama3", null)]
    [InlineData("SmolLM2_1_7B", 24, 2048, 32, 32, 64, 49152, true, null, null)]
    [InlineData("SmolLM2_360M", 32, 960, 15, 5, 64, 49152, true, null, null)]
    [InlineData("TinyLlama", 22, 2048, 32, 4, 64, 32000, false, null, null)]
    [InlineData("Mistral7B", 32, 4096, 32, 8, 128, 32000, false, null, 4096)]
    public void Reads_published_llama_family_configs(string name, int layers, int hidden, int heads, int kvHeads, int headDim,
        int vocab, bool tied, string? ropeType, int? window)
    {
        string json = (string)typeof(PublishedConfigs).GetField(name, System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)!.GetValue(null)!;
        var c = LlamaConfigJson.Parse(json, "config.json");
        Assert.Equal((layers, hidden, heads, kvHeads, headDim, vocab, tied), (c.NumHiddenLayers, c.HiddenSize, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim, c.VocabSize, c.TieWordEmbeddings));
        Assert.Equal(ropeType, c.RopeScaling?.RopeType);
        Assert.Equal(window, c.SlidingWindow);
        Assert.Equal(window is null ? "llama" : "mistral", c.ModelType);
        Assert.Equal("bfloat16", c.TorchDtype);
        // Written back and read again, the config is the same (model_type, architectures and window included).
        string written = LlamaConfigJson.ToJson(c);
        Assert.Equal(written, LlamaConfigJson.ToJson(LlamaConfigJson.Parse(written)));
        Assert.Contains(window is null ? "\"LlamaForCausalLM\"" : "\"MistralForCausalLM\"", written);
        Assert.False(c.Extra.ContainsKey("model_type") || c.Extra.ContainsKey("architectures") || c.Extra.ContainsKey("sliding_window"));
    }

    [Fact]
    public void Mistral_without_a_window_attends_to_everything()
    {
        var c = LlamaConfigJson.Parse(With("model_type", "\"mistral\"").Replace("}", ", \"sliding_window\": null}"));
        Assert.Equal("mistral", c.ModelType);
        Assert.Null(c.SlidingWindow);
    }

    [Theory]
    [InlineData("model_type", "\"gpt2\"", "config.json: model_type: 'gpt2' is not a Llama-family model (accepted: llama, mistral)")]
    [InlineData("model_type", "\"qwen2\"", "'qwen2' is not a Llama-family model")]
    [InlineData("architectures", "[\"GPT2LMHeadModel\"]", "config.json: architectures: 'GPT2LMHeadModel' is not a Llama-family model")]
    [InlineData("architectures", "\"LlamaForCausalLM\"", "architectures: expected a list")]
    [InlineData("architectures", "[3]", "architectures[0]: expected a class name")]
    [InlineData("model_type", "3", "model_type: expected a string")]
    public void Refuses_other_model_types_by_name(string key, string json, string message)
    {
        var e = Assert.Throws<LlamaConfigException>(() => LlamaConfigJson.Parse(With(key, json), "config.json"));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Architectures_must_agree_with_model_type()
    {
        var o = JsonNode.Parse(Minimal)!.AsObject();
        o["model_type"] = "llama";
        o["architectures"] = new JsonArray("MistralForCausalLM");
        var e = Assert.Throws<LlamaConfigException>(() => LlamaConfigJson.Parse(o.ToJsonString(), "config.json"));
        Assert.Contains("'MistralForCausalLM' is a mistral model but model_type is 'llama'", e.Message);
        o.Remove("model_type");
        Assert.Equal("mistral", LlamaConfigJson.Parse(o.ToJsonString()).ModelType);
        Assert.Equal("llama", LlamaConfigJson.Parse(Minimal).ModelType);
    }

    [Fact]
    public void Sliding_window_is_mistrals_and_positive()
    {
        var e = Assert.Throws<LlamaConfigException>(() => LlamaConfigJson.Parse(With("model_type", "\"mistral\"").Replace("}", ", \"sliding_window\": 0}"), "config.json"));
        Assert.Equal("sliding_window", e.Field);
        // HF's LlamaConfig has no sliding_window: a Llama config's is kept as an unread extra.
        var llama = LlamaConfigJson.Parse(With("sliding_window", "16"));
        Assert.Null(llama.SlidingWindow);
        Assert.True(llama.Extra.ContainsKey("sliding_window"));
        var set = Assert.Throws<LlamaConfigException>(() => (llama with { SlidingWindow = 4 }).Validate());
        Assert.Contains("only mistral has a sliding window", set.Message);
        Assert.Throws<LlamaConfigException>(() => (llama with { ModelType = "gpt2" }).Validate());
    }

    [Fact]
    public void Mutated_published_configs_only_ever_raise_the_config_exception()
    {
        var random = new Random(2026);
        string[] seeds = [PublishedConfigs.Llama32_1B, PublishedConfigs.SmolLM2_360M, PublishedConfigs.TinyLlama, PublishedConfigs.Mistral7B];
        int accepted = 0, rejected = 0;
        for (int i = 0; i < 2000; i++)
        {
            string text = JsonMutations.Mutate(seeds[i % seeds.Length], random);
            try
            {
                var config = LlamaConfigJson.Parse(text, "config.json");
                _ = LlamaConfigJson.Parse(LlamaConfigJson.ToJson(config), "config.json");
                accepted++;
            }
            catch (LlamaConfigException e)
            {
                Assert.StartsWith("config.json: ", e.Message);
                rejected++;
            }
        }
        Assert.True(accepted > 100 && rejected > 100, $"accepted {accepted}, rejected {rejected}");
    }
}
