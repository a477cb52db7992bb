using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Prem.Llm.AI;
using Prem.Llm.Generation;

namespace Prem.Llm.Server;

/// <summary>The OpenAI-compatible routes over one model and its batcher, and the error handling around them.</summary>
internal sealed class OpenAiEndpoints(ChatModel model, ContinuousBatcher batcher, PremServerOptions options)
{
    static readonly byte[] _done = "data: [DONE]\n\n"u8.ToArray();
    readonly RequestParser _parser = new(model, batcher.ContextLength);
    readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>Adds the error handler, the API-key check and the routes.</summary>
    public void Map(WebApplication app)
    {
        app.Use(HandleErrors);
        if (options.ApiKey is { } key) app.Use(new ApiKeyCheck(key).InvokeAsync);
        app.MapPost("/v1/chat/completions", context => Generate(context, chat: true));
        app.MapPost("/v1/completions", context => Generate(context, chat: false));
        app.MapGet("/v1/models", context => Json(context, 200, new { @object = "list", data = new[] { ModelCard() } }));
        app.MapGet("/v1/models/{id}", context => (string?)context.Request.RouteValues["id"] == model.Name
            ? Json(context, 200, ModelCard())
            : throw new OpenAiException(404, $"The model '{context.Request.RouteValues["id"]}' does not exist.", "model", "model_not_found"));
        app.MapGet("/health", context => Json(context, 200, new
        {
            status = "ok", model = model.Name, batched = batcher.IsBatched, active_requests = batcher.ActiveRequests,
            queued_requests = batcher.QueuedRequests, max_concurrent_requests = batcher.MaxRows, context_length = batcher.ContextLength,
        }));
        app.MapFallback(context => throw new OpenAiException(404, $"Unknown request URL: {context.Request.Method} {context.Request.Path}.", null, "unknown_url"));
    }

    object ModelCard() => new { id = model.Name, @object = "model", created = _created, owned_by = "prem" };

    async Task HandleErrors(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; its row has been freed and there is nobody to answer.
        }
        catch (Exception e)
        {
            var error = e switch
            {
                OpenAiException o => o,
                BadHttpRequestException { StatusCode: 413 } => TooLarge(),
                BadHttpRequestException b => new OpenAiException(b.StatusCode, b.Message, null, "bad_request"),
                _ => new OpenAiException(500, "The server had an error while processing your request.", null, "internal_error", "server_error"),
            };
            if (error.Status >= 500) options.Log?.Invoke($"error: {context.Request.Method} {context.Request.Path}: {e}");
            if (context.Response.HasStarted)
            {
                // Mid-stream: the status has gone; an error event tells an SSE client what happened.
                await WriteEvent(context, error.Body).ConfigureAwait(false);
                return;
            }
            // The rest of a body over the limit is never read: close the connection so that the client does not reuse it.
            if (error.Status == 413) context.Response.Headers.Connection = "close";
            await Json(context, error.Status, error.Body).ConfigureAwait(false);
        }
    }

    OpenAiException TooLarge() =>
        new(413, $"The request body is larger than the server's limit of {options.MaxRequestBodyBytes} bytes.", null, "request_too_large");

    async Task<JsonElement> ReadBody(HttpContext context)
    {
        long limit = options.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit) throw TooLarge();
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > limit) throw TooLarge();
            buffer.Write(chunk, 0, n);
        }
        if (buffer.Length == 0) throw new OpenAiException(400, "The request body is empty; send a JSON object.", null, "invalid_json");
        try
        {
            using var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new OpenAiException(400, $"We could not parse the JSON body of your request: {e.Message}", null, "invalid_json");
        }
    }

    async Task Generate(HttpContext context, bool chat)
    {
        var body = await ReadBody(context).ConfigureAwait(false);
        var request = chat ? _parser.Chat(body) : _parser.Completion(body);
        var aborted = context.RequestAborted;
        using var reply = Reply.Start(batcher, model, request, aborted);
        string id = (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        object Usage() => new { prompt_tokens = request.Prompt.Length, completion_tokens = reply.CompletionTokens, total_tokens = request.Prompt.Length + reply.CompletionTokens };

        if (!request.Stream)
        {
            var text = new StringBuilder();
            await foreach (string delta in reply.TextAsync(aborted).ConfigureAwait(false)) text.Append(delta);
            object choice = chat
                ? new { index = 0, message = new { role = "assistant", content = text.ToString() }, logprobs = (object?)null, finish_reason = reply.FinishReason }
                : (object)new { index = 0, text = text.ToString(), logprobs = (object?)null, finish_reason = reply.FinishReason };
            await Json(context, 200, new { id, @object = chat ? "chat.completion" : "text_completion", created, model = model.Name, choices = new[] { choice }, usage = Usage() }).ConfigureAwait(false);
            return;
        }

        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        string kind = chat ? "chat.completion.chunk" : "text_completion";
        object Chunk(object? delta, string? text, string? finish) => chat
            ? new { id, @object = kind, created, model = model.Name, choices = new[] { new { index = 0, delta, logprobs = (object?)null, finish_reason = finish } } }
            : (object)new { id, @object = kind, created, model = model.Name, choices = new[] { new { index = 0, text, logprobs = (object?)null, finish_reason = finish } } };

        if (chat) await WriteEvent(context, Chunk(new { role = "assistant", content = "" }, null, null)).ConfigureAwait(false);
        await foreach (string delta in reply.TextAsync(aborted).ConfigureAwait(false))
            await WriteEvent(context, Chunk(new { content = delta }, delta, null)).ConfigureAwait(false);
        await WriteEvent(context, Chunk(new { }, "", reply.FinishReason)).ConfigureAwait(false);
        if (request.IncludeUsage)
            await WriteEvent(context, new { id, @object = kind, created, model = model.Name, choices = Array.Empty<object>(), usage = Usage() }).ConfigureAwait(false);
        await context.Response.Body.WriteAsync(_done, aborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
    }

    static async Task WriteEvent(HttpContext context, object payload)
    {
        var bytes = Encoding.UTF8.GetBytes("data: " + JsonSerializer.Serialize(payload) + "\n\n");
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    static async Task Json(HttpContext context, int status, object payload)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(payload), context.RequestAborted).ConfigureAwait(false);
    }
}
