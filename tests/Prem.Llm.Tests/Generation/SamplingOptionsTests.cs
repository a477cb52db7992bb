using Prem.Llm.Generation;
using Prem.Llm.Modeling;

namespace Prem.Llm.Tests.Generation;

public class SamplingOptionsTests
{
    [Fact]
    public void Llama32_generation_config_samples_with_hf_defaults_for_what_it_leaves_out()
    {
        var config = GenerationConfigJson.Parse(Modeling.PublishedConfigs.Llama32_1B_Instruct_Generation);
        var options = SamplingOptions.FromGenerationConfig(config, [128001], promptLength: 10);
        // transformers' GenerationConfig defaults: top_k 50 when the file has none; max_length 20 is
        // replaced by this library's 128 new tokens when the file names no length.
        Assert.Equal((0.6, 0.9, 50, 1.0, 128), (options.Temperature, options.TopP, options.TopK, options.RepetitionPenalty, options.MaxNewTokens));
        Assert.Equal([128001, 128008, 128009], options.StopTokenIds);
        options.Validate();
    }

    [Fact]
    public void Without_do_sample_decoding_is_greedy_and_max_length_counts_the_prompt()
    {
        var tiny = GenerationConfigJson.Parse(Modeling.PublishedConfigs.TinyLlama_Generation);
        var options = SamplingOptions.FromGenerationConfig(tiny with { Temperature = 0.9, TopK = 5 }, [2], promptLength: 48);
        Assert.Equal((0.0, 0, 1.0, 2000), (options.Temperature, options.TopK, options.TopP, options.MaxNewTokens));
        Assert.Equal([2], options.StopTokenIds);
        Assert.Equal(0, SamplingOptions.FromGenerationConfig(tiny, [2], promptLength: 5000).MaxNewTokens);
        var both = SamplingOptions.FromGenerationConfig(tiny with { MaxNewTokens = 7 }, [2], promptLength: 48);
        Assert.Equal(7, both.MaxNewTokens);
    }

    [Fact]
    public void No_generation_config_is_greedy_with_the_models_eos_ids()
    {
        var options = SamplingOptions.FromGenerationConfig(null, [2, 32002]);
        Assert.Equal(new SamplingOptions().Temperature, options.Temperature);
        Assert.Equal([2, 32002], options.StopTokenIds);
        Assert.Equal([5], SamplingOptions.FromGenerationConfig(new GenerationConfig(), [5]).StopTokenIds);
        Assert.Equal(1.3, SamplingOptions.FromGenerationConfig(new GenerationConfig { RepetitionPenalty = 1.3 }, [5]).RepetitionPenalty);
        Assert.Equal(1.0, SamplingOptions.FromGenerationConfig(new GenerationConfig { DoSample = true }, [5]).Temperature);
    }
}
