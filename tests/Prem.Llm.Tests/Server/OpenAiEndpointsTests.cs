using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Prem.Llm.Server;

namespace Prem.Llm.Tests.Server;

public class OpenAiEndpointsTests
{
    [Fact]
    public async Task Bad_requests_get_a_4xx_openai_error_naming_the_problem_and_the_server_keeps_serving()
    {
        await using var live = await LiveServer.StartAsync(new PremServerOptions { MaxRequestBodyBytes = 4096 });
        string m = live.Name;
        (string Body, int Status, string? Param, string Message)[] cases =
        [
            ("{\"model\": ", 400, null, "could not parse the JSON body"),
            ("[1, 2]", 400, null, "must be a JSON object"),
            ("", 400, null, "body is empty"),
            ($$"""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""", 404, "model", "The model 'gpt-4o' does not exist"),
            ("""{"messages":[{"role":"user","content":"hi"}]}""", 400, "model", "Missing required parameter: 'model'"),
            ($$"""{"model":"{{m}}","messages":[{"role":"user","content":"hi"}],"max_tokens":"ten"}""", 400, "max_tokens", "expected an integer, but got a string"),
            ($$"""{"model":"{{m}}","messages":[{"role":"user","content":"hi"}],"max_tokens":2.5}""", 400, "max_tokens", "expected an integer"),
            ($$"""{"model":"{{m}}","messages":[{"role":"user","content":"hi"}],"temperature":"hot"}""", 400, "temperature", "expected a number"),
            ($$"""{"model":"{{m}}","messages":[{"role":"user","content":"hi"}],"temperature":3}""", 400, "temperature", "out of range"),
            ($$"""{"model":"{{m}}","messages":[{"role":"user","content":"hi"}],"top_p":0}""", 400, "top_p", "out of range"),
            ($$"""{"model":"{{m}}","messages":[{"role":"user","content":"hi"}],"stream":"yes"}""", 400, "stream", "expected a boolean"),
            ($$"""{"model":"{{m}}","messages":[{"role":"user","content":"hi"}],"max_tokens":-5}""", 400, "max_tokens", "-5 is out of range"),
            ($$"""{"model":"{{m}}","messages":[{"role":"user","content":"hi"}],"max_tokens":0}""", 400, "max_tokens", "0 is out of range"),
            ($$"""{"model":"{{m}}","messages":[{"role":"user","content":"hi"}],"max_tokens":1000000}""", 400, "max_tokens", "maximum context length is 512 tokens"),
            ($$"""{"model":"{{m}}","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":100000000000}""", 400, "max_completion_tokens", "out of range"),
            ($$"""{"model":"{{m}}","messages":[]}""", 400, "messages", "'messages' is empty"),
            ($$"""{"model":"{{m}}"}""", 400, "messages", "Missing required parameter: 'messages'"),
            ($$"""{"model":"{{m}}","messages":"hi"}""", 400, "messages", "expected an array"),
            ($$"""{"model":"{{m}}","messages":[{"role":"wizard","content":"hi"}]}""", 400, "messages[0].role", "'wizard'"),
            ($$"""{"model":"{{m}}","messages":[{"role":"tool","content":"hi"}]}""", 400, "messages[0].role", "Supported roles"),
            ($$"""{"model":"{{m}}","messages":[{"content":"hi"}]}""", 400, "messages[0].role", "Missing required parameter"),
            ($$"""{"model":"{{m}}","messages":[{"role":"user","content":42}]}""", 400, "messages[0].content", "expected a string or an array of text parts"),
            ($$$"""{"model":"{{{m}}}","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}""", 400, "messages[0].content", "Only text content parts"),
            ($$"""{"model":"{{m}}","messages":[{"role":"user","content":"hi"}],"n":2}""", 400, "n", "Only n = 1"),
            ($$"""{"model":"{{m}}","messages":[{"role":"user","content":"hi"}],"stop":["a","b","c","d","e"]}""", 400, "stop", "At most 4"),
            ($$"""{"model":"{{m}}","messages":[{"role":"user","content":"hi"}],"stop":[1]}""", 400, "stop", "expected a string or an array of strings"),
            ($$"""{"model":"{{m}}","messages":[{"role":"user","content":"{{new string('x', 5000)}}"}]}""", 413, null, "larger than the server's limit of 4096 bytes"),
            ($$"""{"model":"{{m}}","messages":[{"role":"user","content":"{{string.Concat(Enumerable.Repeat("a b ", 500))}}"}]}""", 400, "messages", "maximum context length is 512 tokens"),
            ($$"""{"model":"{{m}}","prompt":["a","b"]}""", 400, "prompt", "arrays of several prompts"),
        ];
        foreach (var (body, status, param, message) in cases)
        {
            string path = body.Contains("\"prompt\"", StringComparison.Ordinal) ? "v1/completions" : "v1/chat/completions";
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await live.Http.PostAsync(path, content);
            string text = await response.Content.ReadAsStringAsync();
            Assert.True(status == (int)response.StatusCode, $"{body[..Math.Min(body.Length, 120)]} → {(int)response.StatusCode} {text}");
            var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
            Assert.Contains(message, error.GetProperty("message").GetString());
            Assert.Equal(param, error.GetProperty("param").GetString());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("type").GetString()));
            Assert.True(error.TryGetProperty("code", out _));

            // …and the server still answers a good request.
            Assert.Equal(200, (await live.PostAsync("v1/chat/completions", live.ChatBody("Hi.", 3))).Status);
        }
    }

    [Fact]
    public async Task A_smaller_context_length_limits_max_tokens()
    {
        await using var live = await LiveServer.StartAsync(new PremServerOptions { ContextLength = 64 });
        var (status, body) = await live.PostAsync("v1/chat/completions", live.ChatBody("Hi.", 60));
        Assert.Equal(400, status);
        Assert.Contains("maximum context length is 64 tokens", body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(64, JsonDocument.Parse(await live.Http.GetStringAsync("health")).RootElement.GetProperty("context_length").GetInt32());
    }

    [Fact]
    public async Task Unknown_urls_get_a_404_in_openai_shape()
    {
        await using var live = await LiveServer.StartAsync();
        using var response = await live.Http.GetAsync("v1/engines");
        Assert.Equal(404, (int)response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Contains("Unknown request URL: GET /v1/engines", error.GetProperty("message").GetString());
        using var model = await live.Http.GetAsync("v1/models/other");
        Assert.Equal(404, (int)model.StatusCode);
        Assert.Equal(200, (int)(await live.Http.GetAsync($"v1/models/{live.Name}")).StatusCode);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_refused_too()
    {
        await using var live = await LiveServer.StartAsync(new PremServerOptions { MaxRequestBodyBytes = 2048 });
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(live.ChatBody(new string('y', 4000), 5))));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await live.Http.SendAsync(request);
        Assert.Equal(413, (int)response.StatusCode);
        Assert.Equal(200, (await live.PostAsync("v1/chat/completions", live.ChatBody("Hi.", 3))).Status);
    }
}
