using Prem.Llm.Modeling;

namespace Prem.Llm.Tests.Modeling;

public class GenerationConfigJsonTests
{
    [Fact]
    public void Reads_published_generation_configs()
    {
        var llama = GenerationConfigJson.Parse(PublishedConfigs.Llama32_1B_Generation);
        Assert.Equal((128000, true, 0.6, 0.9), (llama.BosTokenId, llama.DoSample, llama.Temperature, llama.TopP));
        Assert.Equal([128001], llama.EosTokenIds);
        Assert.Null(llama.TopK);
        Assert.Equal("4.45.0.dev0", llama.Extra["transformers_version"]!.GetValue<string>());

        var instruct = GenerationConfigJson.Parse(PublishedConfigs.Llama32_1B_Instruct_Generation);
        Assert.Equal([128001, 128008, 128009], instruct.EosTokenIds);

        var tiny = GenerationConfigJson.Parse(PublishedConfigs.TinyLlama_Generation);
        Assert.Equal((2048, 0, (bool?)null), (tiny.MaxLength, tiny.PadTokenId, tiny.DoSample));

        var mistral = GenerationConfigJson.Parse(PublishedConfigs.Mistral7B_Generation);
        Assert.Equal([2], mistral.EosTokenIds);
        Assert.True(mistral.Extra.ContainsKey("_from_model_config"));
    }

    [Fact]
    public void Round_trips_every_field()
    {
        var config = new GenerationConfig
        {
            BosTokenId = 1, EosTokenIds = [2, 32002], PadTokenId = 0, DoSample = true, Temperature = 0.7, TopP = 0.95, TopK = 40,
            MaxNewTokens = 300, MaxLength = 4096, RepetitionPenalty = 1.1,
        };
        string json = GenerationConfigJson.ToJson(config);
        var back = GenerationConfigJson.Parse(json);
        Assert.Equal(json, GenerationConfigJson.ToJson(back));
        Assert.Equal((1, 0, true, 0.7, 0.95, 40, 300, 4096, 1.1),
            (back.BosTokenId, back.PadTokenId, back.DoSample, back.Temperature, back.TopP, back.TopK, back.MaxNewTokens, back.MaxLength, back.RepetitionPenalty));
        Assert.Equal([2, 32002], back.EosTokenIds);
        Assert.Equal("{}", GenerationConfigJson.ToJson(new GenerationConfig()).Replace("\n", "").Replace(" ", ""));
    }

    [Theory]
    [InlineData("""{"temperature": -1}""", "temperature: -1 must be a number ≥ 0.")]
    [InlineData("""{"temperature": "hot"}""", "temperature: expected a number, got \"hot\".")]
    [InlineData("""{"top_p": 0}""", "top_p: 0 must be in (0, 1].")]
    [InlineData("""{"top_p": 1.5}""", "top_p: 1.5 must be in (0, 1].")]
    [InlineData("""{"top_k": -2}""", "top_k: -2 must be ≥ 0.")]
    [InlineData("""{"top_k": 2.5}""", "top_k: expected an integer, got 2.5.")]
    [InlineData("""{"max_new_tokens": -1}""", "max_new_tokens: -1 must be ≥ 0.")]
    [InlineData("""{"max_length": 0}""", "max_length: 0 must be a positive integer.")]
    [InlineData("""{"repetition_penalty": 0}""", "repetition_penalty: 0 must be a number > 0.")]
    [InlineData("""{"do_sample": "yes"}""", "do_sample: expected true or false, got \"yes\".")]
    [InlineData("""{"eos_token_id": [2, "x"]}""", "eos_token_id[1]: expected an integer, got \"x\".")]
    [InlineData("""{"eos_token_id": -5}""", "eos_token_id: -5 is not a token id (negative).")]
    [InlineData("""{"bos_token_id": true}""", "bos_token_id: expected an integer, got true.")]
    [InlineData("""[1, 2]""", "(root): generation_config.json must hold a JSON object.")]
    [InlineData("""{"top_p": 0.9""", "(root): not valid JSON")]
    public void Bad_values_name_the_file_and_field(string json, string message)
    {
        var e = Assert.Throws<LlamaConfigException>(() => GenerationConfigJson.Parse(json, "model/generation_config.json"));
        Assert.StartsWith("model/generation_config.json: " + message, e.Message);
    }

    [Fact]
    public void Load_names_a_missing_file_and_TryLoad_returns_null()
    {
        string dir = TestData.TempDirectory();
        Assert.Null(GenerationConfigJson.TryLoad(dir));
        Assert.Throws<FileNotFoundException>(() => GenerationConfigJson.Load(Path.Combine(dir, GenerationConfig.FileName)));
        GenerationConfigJson.Save(new GenerationConfig { EosTokenIds = [7] }, Path.Combine(dir, GenerationConfig.FileName));
        Assert.Equal([7], GenerationConfigJson.TryLoad(dir)!.EosTokenIds);
        var e = Assert.Throws<LlamaConfigException>(() => new GenerationConfig { PadTokenId = 40 }.Validate("g.json", vocabSize: 32));
        Assert.Equal("g.json: pad_token_id: 40 is outside the vocabulary [0, 32).", e.Message);
    }

    [Fact]
    public void Mutated_files_only_ever_raise_the_config_exception()
    {
        var random = new Random(2026);
        string[] seeds = [PublishedConfigs.Llama32_1B_Instruct_Generation, PublishedConfigs.TinyLlama_Generation, PublishedConfigs.Mistral7B_Generation];
        int accepted = 0, rejected = 0;
        for (int i = 0; i < 2000; i++)
        {
            string text = JsonMutations.Mutate(seeds[i % seeds.Length], random);
            try
            {
                GenerationConfigJson.Parse(text, "generation_config.json").Validate("generation_config.json", vocabSize: 200000);
                accepted++;
            }
            catch (LlamaConfigException e)
            {
                Assert.StartsWith("generation_config.json: ", e.Message);
                rejected++;
            }
        }
        Assert.True(accepted > 100 && rejected > 100, $"accepted {accepted}, rejected {rejected}");
    }
}
