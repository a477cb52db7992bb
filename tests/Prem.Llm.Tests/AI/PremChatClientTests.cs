using System.Diagnostics;
using Microsoft.Extensions.AI;
using Prem.Llm.AI;
using AiMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Prem.Llm.Tests.AI;

public class PremChatClientTests
{
    static readonly AiMessage[] _question = [new(ChatRole.System, "You tell short stories."), new(ChatRole.User, "Tell me about Lily and her dog.")];

    static async Task<(string Text, List<ChatResponseUpdate> Updates)> Stream(IChatClient client, IEnumerable<AiMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, cancellationToken)) updates.Add(update);
        return (string.Concat(updates.Select(u => u.Text)), updates);
    }

    [Fact]
    public async Task Greedy_streamed_text_equals_the_response_and_the_generator_output_decoded()
    {
        using var client = new PremChatClient(ChatTestModels.Stories);
        var options = new ChatOptions { MaxOutputTokens = 48 };
        var response = await client.GetResponseAsync(_question, options);
        var (streamed, updates) = await Stream(client, _question, options);

        // The reference: the core generator on the same prompt, its ids decoded in one go (stop id left out).
        var model = client.Model;
        var prompt = model.EncodePrompt([new("system", "You tell short stories."), new("user", "Tell me about Lily and her dog.")]);
        var ids = model.Generator.Generate(prompt, model.Sampling(prompt.Count) with { MaxNewTokens = 48 }).ToList();
        bool stopped = ids.Count > 0 && model.StopTokenIds.Contains(ids[^1]);
        string expected = model.Tokenizer.Decode(stopped ? ids[..^1] : ids);

        Assert.False(string.IsNullOrWhiteSpace(expected));
        Assert.Equal(expected, response.Text);
        Assert.Equal(expected, streamed);
        Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);
        Assert.Equal(stopped ? ChatFinishReason.Stop : ChatFinishReason.Length, response.FinishReason);
        Assert.Equal((long)prompt.Count, response.Usage!.InputTokenCount);
        Assert.Equal((long)ids.Count, response.Usage.OutputTokenCount);
        Assert.Equal((long)(prompt.Count + ids.Count), response.Usage.TotalTokenCount);
        Assert.Equal("stories260K-chat", response.ModelId);

        // One update per token that adds text, then the finish update carrying the usage.
        var last = updates[^1];
        Assert.Equal(response.FinishReason, last.FinishReason);
        Assert.Equal(response.Usage.OutputTokenCount, last.Contents.OfType<UsageContent>().Single().Details.OutputTokenCount);
        Assert.All(updates[..^1], u => Assert.False(string.IsNullOrEmpty(u.Text)));
        Assert.InRange(updates.Count - 1, ids.Count / 2, ids.Count);
        Assert.Single(updates.Select(u => u.ResponseId).Distinct());
        // The updates fold back into the same response with Microsoft.Extensions.AI's own helper.
        var folded = updates.ToChatResponse();
        Assert.Equal(expected, folded.Text);
        Assert.Equal(response.Usage.TotalTokenCount, folded.Usage!.TotalTokenCount);
    }

    [Fact]
    public async Task Multi_byte_characters_arrive_whole_one_update_each()
    {
        // é (2 bytes), 日 (3 bytes), 😀 (4 bytes, a surrogate pair in .NET): nine byte-fallback tokens, then <|eot_id|>.
        using var client = new PremChatClient(ChatTestModels.Successor(ChatTestModels.Chain("é日😀")));
        var (text, updates) = await Stream(client, [new(ChatRole.User, "hi")]);
        Assert.Equal("é日😀", text);
        Assert.Equal(["é", "日", "😀"], updates.Where(u => u.Text.Length > 0).Select(u => u.Text));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        Assert.Equal(10, updates[^1].Contents.OfType<UsageContent>().Single().Details.OutputTokenCount);
        var response = await client.GetResponseAsync([new AiMessage(ChatRole.User, "hi")]);
        Assert.Equal("é日😀", response.Text);
    }

    [Fact]
    public async Task The_token_limit_gives_finish_reason_length_and_never_half_a_character()
    {
        using var client = new PremChatClient(ChatTestModels.Successor(ChatTestModels.Chain("é日😀")));
        // Four tokens: é and the first two bytes of 日, whose incomplete bytes end the stream as U+FFFD (as HF decodes them).
        var response = await client.GetResponseAsync([new AiMessage(ChatRole.User, "hi")], new ChatOptions { MaxOutputTokens = 4 });
        Assert.Equal("é\uFFFD", response.Text);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(4, response.Usage!.OutputTokenCount);
        var (text, updates) = await Stream(client, [new(ChatRole.User, "hi")], new ChatOptions { MaxOutputTokens = 4 });
        Assert.Equal(response.Text, text);
        Assert.Equal(ChatFinishReason.Length, updates[^1].FinishReason);
    }

    [Fact]
    public async Task Stop_sequences_cut_the_reply_where_the_text_reaches_them()
    {
        using var client = new PremChatClient(ChatTestModels.Stories);
        string full = (await client.GetResponseAsync(_question, new ChatOptions { MaxOutputTokens = 60 })).Text;
        Assert.True(full.Length > 30, full);
        string stop = full.Substring(full.Length / 2, 4);
        string expected = full[..full.IndexOf(stop, StringComparison.Ordinal)];
        var options = new ChatOptions { MaxOutputTokens = 60, StopSequences = ["never appears", stop] };

        var response = await client.GetResponseAsync(_question, options);
        Assert.Equal(expected, response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.True(response.Usage!.OutputTokenCount < 60);
        var (streamed, updates) = await Stream(client, _question, options);
        Assert.Equal(expected, streamed);
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        Assert.DoesNotContain(updates, u => u.Text.Contains(stop, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sampling_options_reach_the_generator_and_the_seed_repeats_a_reply()
    {
        using var client = new PremChatClient(ChatTestModels.Stories);
        ChatOptions Sampled(long seed) => new() { Temperature = 1.2f, TopK = 40, TopP = 0.95f, Seed = seed, MaxOutputTokens = 24 };
        string a = (await client.GetResponseAsync(_question, Sampled(7))).Text;
        Assert.Equal(a, (await client.GetResponseAsync(_question, Sampled(7))).Text);
        var others = new List<string>();
        for (long seed = 8; seed < 12; seed++) others.Add((await client.GetResponseAsync(_question, Sampled(seed))).Text);
        Assert.Contains(others, o => o != a);
        string greedy = (await client.GetResponseAsync(_question, new ChatOptions { MaxOutputTokens = 24 })).Text;
        Assert.Equal(greedy, (await client.GetResponseAsync(_question, new ChatOptions { MaxOutputTokens = 24, Temperature = 0, Seed = 99 })).Text);
    }

    [Fact]
    public async Task Cancelling_mid_stream_stops_generation_at_once()
    {
        // A model that never ends its turn (é é é …): only cancellation stops it before 400 tokens.
        using var client = new PremChatClient(ChatTestModels.Successor(ChatTestModels.Chain("é", last: ChatTestModels.ByteId(0xC3))));
        using var cancel = new CancellationTokenSource();
        int seen = 0;
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new AiMessage(ChatRole.User, "hi")], new ChatOptions { MaxOutputTokens = 400 }, cancel.Token))
            {
                Assert.Equal("é", update.Text);
                if (++seen == 3) cancel.Cancel();
            }
        });
        Assert.Equal(3, seen);
        // The generator stopped right there: at most the token in flight after the third character (six tokens).
        Assert.InRange(client.Model.Generator.LastStats!.GeneratedTokens, 6, 7);
        // The model is free again: the next call runs.
        var next = await client.GetResponseAsync([new AiMessage(ChatRole.User, "hi")], new ChatOptions { MaxOutputTokens = 4 });
        Assert.Equal("éé", next.Text);
        Assert.True(watch.Elapsed < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_token_that_is_already_cancelled_generates_nothing()
    {
        using var client = new PremChatClient(ChatTestModels.Successor(ChatTestModels.Chain("é日😀")));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            client.GetResponseAsync([new AiMessage(ChatRole.User, "hi")], cancellationToken: new CancellationToken(true)));
    }

    [Fact]
    public async Task Concurrent_calls_on_one_client_are_serialised_and_each_gets_its_own_reply()
    {
        using var client = new PremChatClient(ChatTestModels.Stories);
        var options = new ChatOptions { MaxOutputTokens = 24 };
        AiMessage[][] questions = [_question, [new(ChatRole.User, "Who is Tom?")], [new(ChatRole.User, "Sing a song.")]];
        var serial = new List<string>();
        foreach (var q in questions) serial.Add((await client.GetResponseAsync(q, options)).Text);
        var parallel = await Task.WhenAll(questions.Concat(questions).Select(q => Task.Run(async () =>
            q == questions[1] ? (await Stream(client, q, options)).Text : (await client.GetResponseAsync(q, options)).Text)));
        Assert.Equal([.. serial, .. serial], parallel);
    }

    [Fact]
    public void GetService_returns_the_metadata_the_model_and_the_client()
    {
        using var client = new PremChatClient(ChatTestModels.Stories);
        var metadata = client.GetService<ChatClientMetadata>();
        Assert.Equal(("prem", "stories260K-chat"), (metadata!.ProviderName, metadata.DefaultModelId));
        Assert.Same(client.Model, client.GetService<ChatModel>());
        Assert.Same(client, client.GetService<IChatClient>());
        Assert.Null(client.GetService<ChatClientMetadata>("some key"));
        Assert.Null(client.GetService<string>());
    }

    [Fact]
    public async Task Bad_conversations_and_options_fail_before_generating_with_a_clear_message()
    {
        using var client = new PremChatClient(ChatTestModels.Stories);
        var empty = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([]));
        Assert.Contains("empty", empty.Message);
        var tool = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([new AiMessage(ChatRole.Tool, "42")]));
        Assert.Contains("unknown role 'tool'", tool.Message);
        var max = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync(_question, new ChatOptions { MaxOutputTokens = 0 }));
        Assert.Contains("ChatOptions.MaxOutputTokens", max.Message);
        var topP = await Assert.ThrowsAsync<ArgumentException>(async () => await Stream(client, _question, new ChatOptions { TopP = 1.5f }));
        Assert.Contains("ChatOptions.TopP", topP.Message);
    }
}
