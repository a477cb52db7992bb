using System.CommandLine;
using Prem.Llm.AI;
using Prem.Llm.Generation;
using Prem.Llm.Server;

namespace Prem.Llm.Cli.Commands;

/// <summary>
/// <c>prem serve --model DIR [--urls URL…] [--api-key KEY]</c>: an OpenAI-compatible HTTP server over the folder
/// (<c>/v1/chat/completions</c> with streaming, <c>/v1/completions</c>, <c>/v1/models</c>, <c>/health</c>); concurrent
/// requests share the model through continuous batching. Runs until Ctrl+C, then finishes in-flight requests.
/// </summary>
public static class ServeCommand
{
    /// <summary>The environment variable read for the API key when <c>--api-key</c> is not given.</summary>
    public const string ApiKeyVariable = "PREM_API_KEY";

    /// <summary>The command definition; <paramref name="stop"/> (tests) stops the server like Ctrl+C does.</summary>
    public static Command Create(CancellationToken stop = default)
    {
        var model = new Option<string>("--model") { Description = "HF model folder with a tokenizer (and ideally a chat_template)", Required = true };
        var urls = new Option<string[]>("--urls")
        {
            Description = "addresses to listen on (port 0 picks a free one)", AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => ["http://127.0.0.1:8080"],
        };
        var apiKey = new Option<string?>("--api-key") { Description = $"require 'Authorization: Bearer KEY' on /v1 requests (default: ${ApiKeyVariable}, else none)" };
        var name = new Option<string?>("--name") { Description = "the model id clients send (default: the folder's name)" };
        var template = new Option<string?>("--chat-template") { Description = "FILE (Jinja or tokenizer_config.json) or llama3 (default: the folder's chat_template, else llama3)" };
        var concurrent = new Option<int>("--max-concurrent") { Description = "requests decoded together", DefaultValueFactory = _ => 16 };
        var queue = new Option<int>("--max-queue") { Description = "requests waiting for a slot before 429", DefaultValueFactory = _ => 64 };
        var context = new Option<int>("--context-length") { Description = "tokens per request, prompt included (default: the model's window); sizes the KV cache", DefaultValueFactory = _ => 0 };
        var body = new Option<long>("--max-body-bytes") { Description = "largest request body", DefaultValueFactory = _ => 1 << 20 };
        var weights = CliWeights.Option("; copies are made at start, and still batched");
        var device = CliDevice.Option("default cpu");
        var command = new Command("serve", "Serve a model over OpenAI-compatible HTTP: /v1/chat/completions (streaming), /v1/completions, /v1/models, /health.")
        {
            model, urls, apiKey, name, template, concurrent, queue, context, body, weights, device,
        };
        command.SetAction(CliAction.OfAsync(async (parse, cancellationToken) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            string dir = parse.GetValue(model)!;
            if (!Directory.Exists(dir)) throw new CliError($"model folder not found: {dir}");
            string? key = parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable(ApiKeyVariable);
            PremServerOptions options;
            try
            {
                options = new PremServerOptions
                {
                    Urls = parse.GetValue(urls)!, ApiKey = string.IsNullOrEmpty(key) ? null : key, MaxConcurrentRequests = parse.GetValue(concurrent),
                    MaxQueueLength = parse.GetValue(queue), ContextLength = parse.GetValue(context), MaxRequestBodyBytes = parse.GetValue(body), Log = line => stderr.WriteLine("prem: " + line),
                }.Validate();
            }
            catch (ArgumentException e)
            {
                throw new CliError(e.Message);
            }
            using var chat = ChatModel.Load(dir, new ChatModelOptions
            {
                Name = parse.GetValue(name), ChatTemplate = parse.GetValue(template), Device = CliDevice.Resolve(parse.GetValue(device)),
                CpuWeights = CliWeights.Parse(parse.GetValue(weights)),
                Notice = note => stderr.WriteLine("prem: note: " + note),
            });
            PremServer server;
            try
            {
                server = await PremServer.StartAsync(chat, options, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new CliError($"--urls: cannot listen: {e.Message}");
            }
            await using (server.ConfigureAwait(false))
            {
                stderr.WriteLine($"prem: serving {chat.Name} on {string.Join(", ", server.Urls)} ({(server.IsBatched ? $"continuous batching, {options.MaxConcurrentRequests} slots" : "one request at a time")}); Ctrl+C stops.");
                stderr.Flush();
                using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop);
                try
                {
                    await Task.Delay(Timeout.Infinite, both.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
                stderr.WriteLine("prem: stopping: finishing in-flight requests.");
                await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
            return 0;
        }));
        return command;
    }
}
