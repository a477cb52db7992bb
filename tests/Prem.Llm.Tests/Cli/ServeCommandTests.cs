using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using Prem.Llm.Cli.Commands;
using Prem.Llm.Tests.AI;

namespace Prem.Llm.Tests.Cli;

public class ServeCommandTests
{
    [Theory]
    [InlineData("as-loaded")]
    [InlineData("int8")]
    [InlineData("bf16")]
    public async Task Serves_on_a_free_port_batched_answers_and_stops_when_asked(string weights)
    {
        using var stop = new CancellationTokenSource();
        var output = new StringWriter();
        var errorText = new StringWriter();
        // The synchronized writer locks on itself, so reading under the same lock sees whole lines.
        var error = TextWriter.Synchronized(errorText);
        string Err() { lock (error) return errorText.ToString(); }
        var run = ServeCommand.Create(stop.Token).Parse(["--model", ChatTestModels.Stories, "--urls", "http://127.0.0.1:0", "--name", "tiny", "--weights", weights])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        string? url = null;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (url is null)
        {
            Assert.False(run.IsCompleted, Err());
            Assert.True(DateTime.UtcNow < deadline, Err());
            url = Regex.Match(Err(), @"serving tiny on (http://127\.0\.0\.1:\d+)").Groups[1] is { Success: true } g ? g.Value : null;
            await Task.Delay(20);
        }
        using var http = new HttpClient { BaseAddress = new Uri(url + "/") };
        var models = JsonDocument.Parse(await http.GetStringAsync("v1/models")).RootElement;
        Assert.Equal("tiny", models.GetProperty("data")[0].GetProperty("id").GetString());
        Assert.Contains("continuous batching", Err());
        using var completion = await http.PostAsync("v1/completions", new StringContent(
            """{"model": "tiny", "prompt": "Once upon a time", "max_tokens": 8}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.True(completion.IsSuccessStatusCode, await completion.Content.ReadAsStringAsync());
        var usage = JsonDocument.Parse(await completion.Content.ReadAsStringAsync()).RootElement.GetProperty("usage");
        Assert.Equal(8, usage.GetProperty("completion_tokens").GetInt32());

        stop.Cancel();
        Assert.Equal(0, await run);
        Assert.Contains("stopping", Err());
    }

    [Fact]
    public void A_missing_folder_or_bad_limit_is_one_error_line()
    {
        var missing = CliRun.Prem("serve", "--model", Path.Combine(TestData.TempDirectory(), "nope"));
        Assert.Equal(1, missing.Exit);
        Assert.StartsWith("prem: error: model folder not found", missing.Err);
        var bad = CliRun.Prem("serve", "--model", ChatTestModels.Stories, "--max-concurrent", "0");
        Assert.Equal(1, bad.Exit);
        Assert.Contains("MaxConcurrentRequests must be in [1, 128]", bad.Err);
    }
}
