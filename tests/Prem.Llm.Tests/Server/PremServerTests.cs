using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Prem.Llm.Server;

namespace Prem.Llm.Tests.Server;

public class PremServerTests
{
    [Fact]
    public async Task Greedy_chat_streamed_equals_non_streamed_equals_the_generator()
    {
        await using var live = await LiveServer.StartAsync();
        Assert.True(live.Server.IsBatched);
        string expected = live.Reference("Tell me a story.", 40);
        Assert.False(string.IsNullOrEmpty(expected));

        var (status, body) = await live.PostAsync("v1/chat/completions", live.ChatBody("Tell me a story.", 40));
        Assert.Equal(200, status);
        Assert.StartsWith("chatcmpl-", body.GetProperty("id").GetString());
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal(live.Name, body.GetProperty("model").GetString());
        Assert.True(body.GetProperty("created").GetInt64() > 1_700_000_000);
        var choice = body.GetProperty("choices")[0];
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal(expected, choice.GetProperty("message").GetProperty("content").GetString());
        var usage = body.GetProperty("usage");
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32() + usage.GetProperty("completion_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32());
        string finish = choice.GetProperty("finish_reason").GetString()!;
        Assert.Equal(usage.GetProperty("completion_tokens").GetInt32() == 40 ? "length" : "stop", finish);

        var events = await live.StreamAsync("v1/chat/completions", live.ChatBody("Tell me a story.", 40, stream: true, extra: ""","stream_options":{"include_usage":true}"""));
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        var withChoice = chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0).ToList();
        string streamed = string.Concat(withChoice.Select(c => c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : ""));
        Assert.Equal(expected, streamed);
        Assert.Equal(finish, withChoice[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(usage.GetRawText(), chunks[^1].GetProperty("usage").GetRawText());
    }

    [Fact]
    public async Task Completions_models_and_health_answer_in_openai_shape()
    {
        await using var live = await LiveServer.StartAsync();
        var prompt = live.Model.Tokenizer.Encode("Once upon a time", addBos: true);
        string expected = live.ReferenceOf(prompt, 30);
        var (status, body) = await live.PostAsync("v1/completions", $$"""{"model":"{{live.Name}}","prompt":"Once upon a time","max_tokens":30,"temperature":0}""");
        Assert.Equal(200, status);
        Assert.Equal("text_completion", body.GetProperty("object").GetString());
        Assert.Equal(expected, body.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal(prompt.Count, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());

        var events = await live.StreamAsync("v1/completions", $$"""{"model":"{{live.Name}}","prompt":"Once upon a time","max_tokens":30,"temperature":0,"stream":true}""");
        Assert.Equal(expected, string.Concat(events[..^1].Select(e => JsonDocument.Parse(e).RootElement.GetProperty("choices")[0].GetProperty("text").GetString())));

        var models = JsonDocument.Parse(await live.Http.GetStringAsync("v1/models")).RootElement;
        Assert.Equal("list", models.GetProperty("object").GetString());
        Assert.Equal(live.Name, models.GetProperty("data")[0].GetProperty("id").GetString());
        Assert.Equal("model", models.GetProperty("data")[0].GetProperty("object").GetString());
        var health = JsonDocument.Parse(await live.Http.GetStringAsync("health")).RootElement;
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal(0, health.GetProperty("active_requests").GetInt32());
    }

    [Fact]
    public async Task Concurrent_requests_each_get_their_own_greedy_answer()
    {
        await using var live = await LiveServer.StartAsync(new PremServerOptions { MaxConcurrentRequests = 3 });
        string[] users = ["Tell me a story.", "Who is Lily?", "What is a dog?", "Sing.", "Hello there, how are you today?"];
        int[] lengths = [25, 10, 40, 5, 33];
        var answers = await Task.WhenAll(users.Select((u, i) => live.PostAsync("v1/chat/completions", live.ChatBody(u, lengths[i]))));
        for (int i = 0; i < users.Length; i++)
        {
            Assert.Equal(200, answers[i].Status);
            Assert.Equal(live.Reference(users[i], lengths[i]), answers[i].Body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        }
    }

    [Fact]
    public async Task A_stop_sequence_cuts_the_text_before_it_in_both_modes()
    {
        await using var live = await LiveServer.StartAsync();
        string full = live.Reference("Tell me a story.", 60);
        Assert.True(full.Length > 12, full);
        string stop = full.Substring(8, 3);
        string expected = full[..full.IndexOf(stop, StringComparison.Ordinal)];
        string extra = $$""","stop":[{{JsonSerializer.Serialize(stop)}}]""";
        var (_, body) = await live.PostAsync("v1/chat/completions", live.ChatBody("Tell me a story.", 60, extra: extra));
        Assert.Equal(expected, body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var events = await live.StreamAsync("v1/chat/completions", live.ChatBody("Tell me a story.", 60, stream: true, extra: extra));
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement.GetProperty("choices")[0]).ToList();
        Assert.Equal(expected, string.Concat(chunks.Select(c => c.GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : "")));
        Assert.Equal("stop", chunks[^1].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task A_client_that_disconnects_frees_its_slot()
    {
        await using var live = await LiveServer.StartAsync(new PremServerOptions { MaxConcurrentRequests = 1, MaxQueueLength = 0 });
        using (var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(live.ChatBody("Tell me a story.", 400, stream: true), Encoding.UTF8, "application/json") })
        using (var response = await live.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[64];
            Assert.True(await stream.ReadAsync(buffer) > 0);
            // Leaving the using blocks drops the connection mid-stream.
        }
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (JsonDocument.Parse(await live.Http.GetStringAsync("health")).RootElement.GetProperty("active_requests").GetInt32() > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the slot was not freed");
            await Task.Delay(20);
        }
        var (status, _) = await live.PostAsync("v1/chat/completions", live.ChatBody("Hi.", 5));
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task A_full_queue_answers_429_and_the_server_keeps_serving()
    {
        await using var live = await LiveServer.StartAsync(new PremServerOptions { MaxConcurrentRequests = 1, MaxQueueLength = 0 });
        // One slot and no queue: of requests sent together, those arriving while a 450-token answer runs are refused.
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => live.PostAsync("v1/chat/completions", live.ChatBody("Tell me a story.", 450))));
        Assert.All(answers, a => Assert.True(a.Status is 200 or 429, a.Body.ToString()));
        Assert.Contains(answers, a => a.Status == 200);
        var refused = Assert.Single(answers.Where(a => a.Status == 429).Take(1));
        Assert.Equal("rate_limit_error", refused.Body.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("queue_full", refused.Body.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("queue is full", refused.Body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(200, (await live.PostAsync("v1/chat/completions", live.ChatBody("Hi.", 5))).Status);
    }

    [Fact]
    public async Task An_api_key_is_required_when_set()
    {
        var log = new List<string>();
        await using var live = await LiveServer.StartAsync(new PremServerOptions { ApiKey = "sekret", Log = log.Add });
        var (missing, body) = await live.PostAsync("v1/chat/completions", live.ChatBody("Hi.", 5));
        Assert.Equal(401, missing);
        Assert.Contains("API key", body.GetProperty("error").GetProperty("message").GetString());
        var (wrong, wrongBody) = await live.PostAsync("v1/chat/completions", live.ChatBody("Hi.", 5), key: "nope");
        Assert.Equal(401, wrong);
        Assert.Equal("invalid_api_key", wrongBody.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(200, (await live.PostAsync("v1/chat/completions", live.ChatBody("Hi.", 5), key: "sekret")).Status);
        using var models = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        Assert.Equal(401, (int)(await live.Http.SendAsync(models)).StatusCode);
        Assert.Equal("ok", JsonDocument.Parse(await live.Http.GetStringAsync("health")).RootElement.GetProperty("status").GetString());
        Assert.Empty(log);
    }

    [Fact]
    public async Task Listening_beyond_loopback_without_a_key_warns()
    {
        var log = new List<string>();
        using var model = Prem.Llm.AI.ChatModel.Load(Prem.Llm.Tests.AI.ChatTestModels.Stories);
        await using (await PremServer.StartAsync(model, new PremServerOptions { Urls = ["http://0.0.0.0:0"], Log = log.Add }))
            Assert.Contains(log, l => l.StartsWith("warning: listening on http://0.0.0.0:0 without an API key", StringComparison.Ordinal));
        log.Clear();
        await using (await PremServer.StartAsync(model, new PremServerOptions { Urls = ["http://0.0.0.0:0"], ApiKey = "k", Log = log.Add }))
            Assert.Empty(log);
    }

    [Fact]
    public async Task Graceful_stop_lets_an_in_flight_request_finish()
    {
        var live = await LiveServer.StartAsync();
        string expected = live.Reference("Tell me a story.", 200);
        var running = live.PostAsync("v1/chat/completions", live.ChatBody("Tell me a story.", 200));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (JsonDocument.Parse(await live.Http.GetStringAsync("health")).RootElement.GetProperty("active_requests").GetInt32() == 0 && !running.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline);
            await Task.Delay(1);
        }
        await live.Server.StopAsync();
        var (status, body) = await running;
        Assert.Equal(200, status);
        Assert.Equal(expected, body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        await Assert.ThrowsAsync<HttpRequestException>(() => live.Http.GetStringAsync("health"));
        await live.DisposeAsync();
    }
}
