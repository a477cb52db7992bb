using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Prem.Llm.Load;

/// <summary>
/// Runs a fixed number of streamed chat requests from <c>clients</c> concurrent clients against a server on
/// loopback: each client takes the next request until all are sent. A request fails unless it answers 200,
/// streams well-formed SSE ending with [DONE] and reports its usage.
/// </summary>
internal static class LoadClient
{
    static readonly string[] _questions =
    [
        "Tell me a story.", "Who is Lily?", "What did the dog find?", "Why is the sky blue?", "Sing a song about a cat.",
        "Where is the park?", "What is your name?", "Can you help me?",
    ];

    public static async Task<LevelResult> RunAsync(string name, Uri baseUri, string model, int clients, int requests, int maxTokens, int seed, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = Timeout.InfiniteTimeSpan };
        var random = new Random(seed);
        var bodies = Enumerable.Range(0, requests).Select(_ => JsonSerializer.Serialize(new
        {
            model, messages = new[] { new { role = "user", content = _questions[random.Next(_questions.Length)] } },
            max_tokens = maxTokens, temperature = 0, stream = true, stream_options = new { include_usage = true },
        })).ToArray();
        var latency = new double[requests];
        var firstToken = new double[requests];
        var tokens = new long[requests];
        int next = -1, failed = 0;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                try
                {
                    (latency[i], firstToken[i], tokens[i]) = await OneAsync(http, bodies[i], cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                    Console.Error.WriteLine($"load: request {i} failed: {e.Message}");
                }
            }
        }));
        double seconds = wall.Elapsed.TotalSeconds;
        var ok = Enumerable.Range(0, requests).Where(i => tokens[i] > 0).ToArray();
        return new LevelResult(name, clients, requests, failed, tokens.Sum(), seconds, [.. ok.Select(i => latency[i])], [.. ok.Select(i => firstToken[i])]);
    }

    static async Task<(double LatencyMs, double FirstTokenMs, long Tokens)> OneAsync(HttpClient http, string body, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if ((int)response.StatusCode != 200)
            throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        double first = -1;
        long usage = -1;
        bool done = false;
        string? line;
        while ((line = await reader.ReadLineAsync(cancellationToken)) is not null)
        {
            if (line.Length == 0) continue;
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) throw new InvalidOperationException($"not an SSE data line: {line}");
            string data = line["data: ".Length..];
            if (data == "[DONE]") { done = true; continue; }
            if (done) throw new InvalidOperationException("data after [DONE]");
            using var chunk = JsonDocument.Parse(data);
            var root = chunk.RootElement;
            if (root.TryGetProperty("error", out var error)) throw new InvalidOperationException("error event: " + error.GetRawText());
            if (root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object) usage = u.GetProperty("completion_tokens").GetInt64();
            if (first < 0 && root.GetProperty("choices") is { } choices && choices.GetArrayLength() > 0
                && choices[0].GetProperty("delta").TryGetProperty("content", out var content) && content.GetString() is { Length: > 0 })
                first = clock.Elapsed.TotalMilliseconds;
        }
        if (!done) throw new InvalidOperationException("the stream ended without [DONE]");
        if (usage <= 0) throw new InvalidOperationException("no usage chunk with completion tokens");
        return (clock.Elapsed.TotalMilliseconds, first < 0 ? clock.Elapsed.TotalMilliseconds : first, usage);
    }
}
