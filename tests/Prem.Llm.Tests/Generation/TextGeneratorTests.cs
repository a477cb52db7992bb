using Prem.Llm.Generation;
using Prem.Llm.Modeling;
using Prem.Llm.Tests.Modeling;

namespace Prem.Llm.Tests.Generation;

public class TextGeneratorTests
{
    static readonly TinyGqaGolden _golden = TinyGqaGolden.Load();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Greedy_continuations_match_golden_with_and_without_cache(bool useCache)
    {
        using var model = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory);
        var generator = new TextGenerator(model);
        for (int p = 0; p < _golden.Prompts.Length; p++)
        {
            var tokens = generator.Generate(_golden.Prompts[p], new SamplingOptions { MaxNewTokens = 20, UseCache = useCache });
            Assert.Equal(_golden.Greedy[p], tokens);
        }
    }

    [Fact]
    public void Batched_prompts_of_different_lengths_match_one_at_a_time()
    {
        using var model = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory);
        var batched = new TextGenerator(model).GenerateBatch(_golden.Prompts, new SamplingOptions { MaxNewTokens = 20 });
        for (int p = 0; p < _golden.Prompts.Length; p++)
            Assert.Equal(_golden.Greedy[p], batched[p]);
    }

    [Fact]
    public void Stories260K_greedy_from_bos_tells_the_documented_story()
    {
        // llama2.c's doc/stories260K.md: "Once upon a time, there was a little girl named Lily. ..."
        // Pieces are read from the SentencePiece model here so the test needs no tokenizer code.
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        var ids = new TextGenerator(model).Generate([1], new SamplingOptions { MaxNewTokens = 40 });
        var pieces = SentencePiecePieces.Read(TestData.Path("stories260K", "tokenizer.model"));
        string text = string.Concat(ids.Select(i => pieces[i])).Replace('▁', ' ').TrimStart();
        Assert.StartsWith("Once upon a time, there was a little girl named Lily. She loved to play outside in the park.", text);
    }

    [Fact]
    public void Cached_and_uncached_greedy_agree_on_a_long_continuation()
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        var generator = new TextGenerator(model);
        var cached = generator.Generate([1, 403], new SamplingOptions { MaxNewTokens = 80 });
        var uncached = generator.Generate([1, 403], new SamplingOptions { MaxNewTokens = 80, UseCache = false });
        Assert.Equal(uncached, cached);
    }

    [Fact]
    public void Sampling_is_reproducible_by_seed_and_top_k_one_is_greedy()
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        var generator = new TextGenerator(model);
        var sample = new SamplingOptions { MaxNewTokens = 30, Temperature = 1.0, TopP = 0.9, TopK = 40, Seed = 3 };
        var a = generator.Generate([1], sample);
        var b = generator.Generate([1], sample);
        var c = generator.Generate([1], sample with { Seed = 4 });
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        var greedy = generator.Generate([1], new SamplingOptions { MaxNewTokens = 30 });
        var topOne = generator.Generate([1], sample with { TopK = 1 });
        Assert.Equal(greedy, topOne);
    }

    [Fact]
    public void Stops_after_any_stop_token_and_keeps_it()
    {
        using var model = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory);
        var greedy = _golden.Greedy[0];
        var tokens = new TextGenerator(model).Generate(_golden.Prompts[0],
            new SamplingOptions { MaxNewTokens = 20, StopTokenIds = [999_999, greedy[4]] });
        int firstStop = Array.IndexOf(greedy, greedy[4]);
        Assert.Equal(greedy.Take(firstStop + 1), tokens);
    }

    [Fact]
    public async Task Streaming_yields_the_same_tokens()
    {
        using var model = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory);
        var streamed = new List<int>();
        await foreach (int id in new TextGenerator(model).GenerateStreaming(_golden.Prompts[1], new SamplingOptions { MaxNewTokens = 20 }))
            streamed.Add(id);
        Assert.Equal(_golden.Greedy[1], streamed);
    }

    [Fact]
    public void Repetition_penalty_changes_greedy_output_away_from_repeats()
    {
        using var model = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory);
        var generator = new TextGenerator(model);
        // Golden greedy for prompt 0 repeats 293 and 379 many times.
        var penalised = generator.Generate(_golden.Prompts[0], new SamplingOptions { MaxNewTokens = 20, RepetitionPenalty = 5.0 });
        int repeats(IReadOnlyList<int> s) => s.Count - s.Distinct().Count();
        Assert.True(repeats(penalised) < repeats(_golden.Greedy[0]), $"{repeats(penalised)} repeats vs {repeats(_golden.Greedy[0])}");
    }

    [Fact]
    public void Bad_prompts_and_options_are_rejected_with_clear_errors()
    {
        using var model = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory);
        var generator = new TextGenerator(model);
        var e1 = Assert.Throws<ArgumentException>(() => generator.Generate([], new SamplingOptions()));
        Assert.Contains("empty", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => generator.Generate([5, 512], new SamplingOptions()));
        Assert.Contains("512", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => generator.Generate([5], new SamplingOptions { TopP = 0 }));
        Assert.Contains("TopP", e3.Message);
    }

    [Fact]
    public void Cpu_engine_greedy_equals_the_TorchSharp_path_on_stories260K_and_tiny_gqa()
    {
        using var stories = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        var options = new SamplingOptions { MaxNewTokens = 120 };
        var fast = new TextGenerator(stories);
        var reference = new TextGenerator(stories) { UseCpuEngine = false };
        foreach (int[] prompt in new[] { new[] { 1 }, new[] { 1, 403, 407, 261 }, Enumerable.Range(0, 70).Select(i => 1 + i * 7 % 500).ToArray() })
            Assert.Equal(reference.Generate(prompt, options), fast.Generate(prompt, options));
        Assert.Equal("cpu-float32", fast.LastStats!.Engine);
        Assert.Equal("torchsharp", reference.LastStats!.Engine);
        Assert.Equal("managed", fast.LastStats!.CpuKernels); // float32 weights always run the managed kernels
        Assert.Null(reference.LastStats!.CpuKernels);

        using var gqa = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory);
        var batched = new TextGenerator(gqa).GenerateBatch(_golden.Prompts, new SamplingOptions { MaxNewTokens = 20 });
        var torchBatched = new TextGenerator(gqa) { UseCpuEngine = false }.GenerateBatch(_golden.Prompts, new SamplingOptions { MaxNewTokens = 20 });
        Assert.Equal(torchBatched, batched);
    }

    [Fact]
    public void Cpu_engine_samples_the_same_tokens_as_the_TorchSharp_path_for_a_seed()
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        var sample = new SamplingOptions { MaxNewTokens = 40, Temperature = 0.8, TopK = 20, TopP = 0.9, RepetitionPenalty = 1.3, Seed = 7 };
        Assert.Equal(new TextGenerator(model) { UseCpuEngine = false }.Generate([1, 403], sample), new TextGenerator(model).Generate([1, 403], sample));
    }

    [Fact]
    public async Task Cancelling_mid_stream_stops_the_stream()
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        var generator = new TextGenerator(model);
        using var cancel = new CancellationTokenSource();
        var received = new List<int>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (int id in generator.GenerateStreaming([1], new SamplingOptions { MaxNewTokens = 200 }, cancel.Token))
            {
                received.Add(id);
                if (received.Count == 5) cancel.Cancel();
            }
        });
        Assert.Equal(5, received.Count);
        // The engine is free again: the next generation runs and starts with the same tokens.
        Assert.Equal(received, generator.Generate([1], new SamplingOptions { MaxNewTokens = 5 }));
    }

    [Fact]
    public void Stats_time_the_prompt_and_the_decode_steps()
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        var generator = new TextGenerator(model);
        Assert.Null(generator.LastStats);
        var ids = generator.Generate([1, 403, 407], new SamplingOptions { MaxNewTokens = 30 });
        var stats = generator.LastStats!;
        Assert.Equal(3, stats.PromptTokens);
        Assert.Equal(ids.Count, stats.GeneratedTokens);
        Assert.Equal(ids.Count - 1, stats.DecodeTokens);
        Assert.True(stats.TimeToFirstToken > TimeSpan.Zero && stats.DecodeTime > TimeSpan.Zero);
        Assert.True(stats.DecodeTokensPerSecond > 0 && stats.PrefillTokensPerSecond > 0);
    }
}
