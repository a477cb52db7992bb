using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Prem.Llm.AI;
using Prem.Llm.Server;
using Prem.Llm.Tests.AI;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Server;

/// <summary>A <see cref="PremServer"/> on a free loopback port over the chat-ready stories260K, with a plain HTTP client.</summary>
internal sealed class LiveServer : IAsyncDisposable
{
    LiveServer(ChatModel model, PremServer server)
    {
        Model = model;
        Server = server;
        BaseUri = new Uri(server.Urls[0].TrimEnd('/') + "/");
        Http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(60) };
    }

    public ChatModel Model { get; }
    public PremServer Server { get; }
    public Uri BaseUri { get; }
    public HttpClient Http { get; }
    public string Name => Model.Name;

    public static async Task<LiveServer> StartAsync(PremServerOptions? options = null, string? folder = null)
    {
        var model = ChatModel.Load(folder ?? ChatTestModels.Stories);
        var server = await PremServer.StartAsync(model, (options ?? new PremServerOptions()) with { Urls = ["http://127.0.0.1:0"] });
        return new LiveServer(model, server);
    }

    public async Task<(int Status, JsonElement Body)> PostAsync(string path, string json, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await Http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>A chat request body with one user message, greedy.</summary>
    public string ChatBody(string user, int maxTokens, bool stream = false, string extra = "") =>
        $$"""{"model":"{{Name}}","messages":[{"role":"user","content":{{JsonSerializer.Serialize(user)}}}],"max_tokens":{{maxTokens}},"temperature":0,"stream":{{(stream ? "true" : "false")}}{{extra}}}""";

    /// <summary>What <see cref="ChatModel.Generator"/> says greedily to <paramref name="user"/>, decoded without the stop id.</summary>
    public string Reference(string user, int maxTokens) => ReferenceOf(Model.EncodePrompt([new ChatMessage(ChatMessage.User, user)]), maxTokens);

    public string ReferenceOf(IReadOnlyList<int> prompt, int maxTokens)
    {
        var sampling = Model.Sampling(prompt.Count) with { MaxNewTokens = maxTokens, Temperature = 0 };
        var ids = Model.Generator.Generate(prompt, sampling).Where(id => !sampling.StopTokenIds.Contains(id));
        return Model.Tokenizer.Decode(ids);
    }

    /// <summary>The SSE events of a streamed response: each data line's payload, [DONE] included.</summary>
    public async Task<List<string>> StreamAsync(string path, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        string raw = await response.Content.ReadAsStringAsync();
        // SSE framing: every event is "data: …" followed by a blank line, nothing else.
        Assert.EndsWith("data: [DONE]\n\n", raw);
        var events = raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.All(events, e => Assert.StartsWith("data: ", e));
        Assert.All(events, e => Assert.DoesNotContain('\n', e));
        return events.Select(e => e["data: ".Length..]).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Model.Dispose();
    }
}
