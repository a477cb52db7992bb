using Prem.Llm.Generation;
using Prem.Llm.Modeling;

namespace Prem.Llm.Tests.Generation;

public class ContinuousBatcherTests
{
    static readonly int[][] _prompts = [[1], [1, 403], [1, 403, 261, 330], [1, 79, 80], [1, 500, 7, 9, 11, 260], [1, 32]];

    static LlamaForCausalLM Stories() => LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));

    static async Task<List<int>> Collect(BatchedGeneration request)
    {
        var tokens = new List<int>();
        await foreach (int t in request.ReadTokensAsync()) tokens.Add(t);
        return tokens;
    }

    [Fact]
    public async Task Greedy_requests_joining_and_leaving_at_different_steps_match_the_text_generator()
    {
        using var model = Stories();
        var reference = new TextGenerator(model);
        await using var batcher = new ContinuousBatcher(model, new ContinuousBatcherOptions { MaxRows = 3 });
        Assert.True(batcher.IsBatched);

        // Different lengths so rows leave at different steps; later requests wait for a free row and join
        // while others are mid-sequence, and the second wave is queued only after the first has started.
        var options = _prompts.Select((p, i) => new SamplingOptions { MaxNewTokens = 7 + 13 * i }).ToArray();
        var first = Enumerable.Range(0, 4).Select(i => batcher.Enqueue(_prompts[i], options[i])).ToArray();
        var firstOutputs = first.Select(Collect).ToArray();
        while (first[0].GeneratedTokens == 0) await Task.Delay(1);
        var second = Enumerable.Range(4, 2).Select(i => batcher.Enqueue(_prompts[i], options[i])).ToArray();
        var outputs = await Task.WhenAll(firstOutputs.Concat(second.Select(Collect)));

        for (int i = 0; i < _prompts.Length; i++)
        {
            Assert.Equal(reference.Generate(_prompts[i], options[i]), outputs[i]);
            Assert.Equal(BatchFinishReason.Length, await (i < 4 ? first[i] : second[i - 4]).Completion);
        }
        Assert.Equal(0, batcher.ActiveRequests);
        Assert.Equal(0, batcher.QueuedRequests);
    }

    [Fact]
    public async Task Sampled_requests_with_their_own_seeds_match_the_text_generator_one_at_a_time()
    {
        using var model = Stories();
        var reference = new TextGenerator(model);
        await using var batcher = new ContinuousBatcher(model, new ContinuousBatcherOptions { MaxRows = 4 });
        var options = Enumerable.Range(0, 4).Select(i => new SamplingOptions
        {
            MaxNewTokens = 30, Temperature = 0.9, TopK = 40, TopP = 0.9, RepetitionPenalty = i % 2 == 0 ? 1.3 : 1.0, Seed = 10 + i,
        }).ToArray();
        var outputs = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Collect(batcher.Enqueue(_prompts[i], options[i]))));
        for (int i = 0; i < 4; i++) Assert.Equal(reference.Generate(_prompts[i], options[i]), outputs[i]);
    }

    [Fact]
    public async Task A_stop_id_ends_the_request_and_is_kept()
    {
        using var model = Stories();
        var greedy = new TextGenerator(model).Generate([1], new SamplingOptions { MaxNewTokens = 20 });
        await using var batcher = new ContinuousBatcher(model);
        var request = batcher.Enqueue([1], new SamplingOptions { MaxNewTokens = 20, StopTokenIds = [greedy[5]] });
        var tokens = await Collect(request);
        Assert.Equal(greedy.Take(greedy.ToList().IndexOf(greedy[5]) + 1), tokens);
        Assert.Equal(BatchFinishReason.Stop, await request.Completion);
    }

    [Fact]
    public async Task Cancelling_a_request_frees_its_row_for_the_next()
    {
        using var model = Stories();
        await using var batcher = new ContinuousBatcher(model, new ContinuousBatcherOptions { MaxRows = 1 });
        using var cancel = new CancellationTokenSource();
        var running = batcher.Enqueue([1], new SamplingOptions { MaxNewTokens = 500 }, cancel.Token);
        var waiting = batcher.Enqueue([1, 403], new SamplingOptions { MaxNewTokens = 10 });
        await foreach (var _ in running.ReadTokensAsync()) break;
        cancel.Cancel();

        Assert.Equal(BatchFinishReason.Cancelled, await running.Completion);
        Assert.True(running.GeneratedTokens < 500);
        Assert.Equal(new TextGenerator(model).Generate([1, 403], waiting.Options), await Collect(waiting));
        Assert.Equal(BatchFinishReason.Length, await waiting.Completion);
        Assert.Equal(0, batcher.ActiveRequests);
    }

    [Fact]
    public async Task A_cancelled_reader_of_generate_async_gets_operation_cancelled()
    {
        using var model = Stories();
        await using var batcher = new ContinuousBatcher(model);
        using var cancel = new CancellationTokenSource();
        int read = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in batcher.GenerateAsync([1], new SamplingOptions { MaxNewTokens = 500 }, cancel.Token))
                if (++read == 3) cancel.Cancel();
        });
        Assert.Equal(3, read);
        while (batcher.ActiveRequests > 0) await Task.Delay(5);
    }

    [Fact]
    public async Task A_full_queue_refuses_with_a_typed_exception_and_accepts_again_once_drained()
    {
        using var model = Stories();
        await using var batcher = new ContinuousBatcher(model, new ContinuousBatcherOptions { MaxRows = 1, MaxQueueLength = 1 });
        using var cancel = new CancellationTokenSource();
        var a = batcher.Enqueue([1], new SamplingOptions { MaxNewTokens = 500 }, cancel.Token);
        var b = batcher.Enqueue([1], new SamplingOptions { MaxNewTokens = 5 }, cancel.Token);
        var full = Assert.Throws<GenerationQueueFullException>(() => batcher.Enqueue([1], new SamplingOptions { MaxNewTokens = 5 }));
        Assert.Equal(1, full.MaxQueueLength);
        Assert.Contains("queue is full", full.Message);

        cancel.Cancel();
        Assert.Equal(BatchFinishReason.Cancelled, await a.Completion);
        Assert.Equal(BatchFinishReason.Cancelled, await b.Completion);
        var c = batcher.Enqueue([1], new SamplingOptions { MaxNewTokens = 5 });
        Assert.Equal(5, (await Collect(c)).Count);
    }

    [Fact]
    public async Task Graceful_stop_finishes_in_flight_requests_and_refuses_new_ones()
    {
        using var model = Stories();
        var reference = new TextGenerator(model);
        var batcher = new ContinuousBatcher(model, new ContinuousBatcherOptions { MaxRows = 2 });
        var options = new SamplingOptions { MaxNewTokens = 60 };
        var requests = _prompts.Take(3).Select(p => batcher.Enqueue(p, options)).ToArray();
        var outputs = requests.Select(Collect).ToArray();
        await batcher.StopAsync();

        Assert.Throws<InvalidOperationException>(() => batcher.Enqueue([1], options));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(BatchFinishReason.Length, await requests[i].Completion);
            Assert.Equal(reference.Generate(_prompts[i], options), await outputs[i]);
        }
        await batcher.DisposeAsync();
    }

    [Fact]
    public async Task A_stop_whose_token_is_cancelled_cancels_what_is_still_running()
    {
        using var model = Stories();
        var batcher = new ContinuousBatcher(model, new ContinuousBatcherOptions { MaxRows = 1 });
        var running = batcher.Enqueue([1], new SamplingOptions { MaxNewTokens = 500 });
        var queued = batcher.Enqueue([1], new SamplingOptions { MaxNewTokens = 500 });
        await foreach (var _ in running.ReadTokensAsync()) break;
        await batcher.StopAsync(new CancellationToken(canceled: true));

        Assert.Equal(BatchFinishReason.Cancelled, await running.Completion);
        Assert.Equal(BatchFinishReason.Cancelled, await queued.Completion);
        Assert.Equal(0, queued.GeneratedTokens);
        await batcher.DisposeAsync();
    }

    [Fact]
    public async Task Int8_requests_are_batched_and_match_an_int8_text_generator()
    {
        using var model = Stories();
        var reference = new TextGenerator(model) { CpuWeights = CpuWeights.Int8 };
        var float32 = new TextGenerator(model);
        await using var batcher = new ContinuousBatcher(model, new ContinuousBatcherOptions { MaxRows = 4, CpuWeights = CpuWeights.Int8 });
        Assert.True(batcher.IsBatched);
        var options = _prompts.Select((p, i) => new SamplingOptions { MaxNewTokens = 20 + 5 * i }).ToArray();
        var outputs = await Task.WhenAll(_prompts.Select((p, i) => Collect(batcher.Enqueue(p, options[i]))));
        for (int i = 0; i < _prompts.Length; i++) Assert.Equal(reference.Generate(_prompts[i], options[i]), outputs[i]);
        // The int8 weights are in use: over these continuations int8 and float32 differ somewhere.
        Assert.Contains(Enumerable.Range(0, _prompts.Length), i => !float32.Generate(_prompts[i], options[i]).SequenceEqual(outputs[i]));
    }

    [Fact]
    public async Task The_one_at_a_time_fallback_matches_the_text_generator()
    {
        using var model = Stories();
        var reference = new TextGenerator(model) { UseCpuEngine = false };
        await using var batcher = new ContinuousBatcher(model, new ContinuousBatcherOptions { UseCpuEngine = false });
        Assert.False(batcher.IsBatched);
        Assert.Equal(1, batcher.MaxRows);
        var options = new SamplingOptions { MaxNewTokens = 12 };
        var outputs = await Task.WhenAll(_prompts.Take(3).Select(p => Collect(batcher.Enqueue(p, options))));
        for (int i = 0; i < 3; i++) Assert.Equal(reference.Generate(_prompts[i], options), outputs[i]);
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_the_reason_and_zero_tokens_finish_at_once()
    {
        using var model = Stories();
        await using var batcher = new ContinuousBatcher(model, new ContinuousBatcherOptions { ContextLength = 64 });
        Assert.Equal(64, batcher.ContextLength);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => batcher.Enqueue([], new SamplingOptions())).Message);
        Assert.Contains("outside the vocabulary", Assert.Throws<ArgumentException>(() => batcher.Enqueue([1, 512], new SamplingOptions())).Message);
        Assert.Contains("context length 64", Assert.Throws<ArgumentException>(() => batcher.Enqueue([1, 2, 3], new SamplingOptions { MaxNewTokens = 62 })).Message);
        Assert.Contains("Temperature", Assert.Throws<ArgumentException>(() => batcher.Enqueue([1], new SamplingOptions { Temperature = -1 })).Message);
        Assert.Throws<ArgumentException>(() => new ContinuousBatcher(model, new ContinuousBatcherOptions { MaxRows = 0 }));

        var none = batcher.Enqueue([1], new SamplingOptions { MaxNewTokens = 0 });
        Assert.Equal(BatchFinishReason.Length, await none.Completion);
        Assert.Empty(await Collect(none));
        Assert.Equal(61, (await Collect(batcher.Enqueue([1, 2, 3], new SamplingOptions { MaxNewTokens = 61 }))).Count);
    }
}
