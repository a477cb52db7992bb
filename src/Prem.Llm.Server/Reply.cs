using System.Runtime.CompilerServices;
using Prem.Llm.AI;
using Prem.Llm.Generation;

namespace Prem.Llm.Server;

/// <summary>
/// One request's generation on the shared <see cref="ContinuousBatcher"/> as text deltas: tokens go through
/// the tokenizer's streaming decoder (never half a UTF-8 character) and the stop-sequence matcher; a stop id
/// ends the reply without its text. A stop sequence or a cancelled client frees the row at once.
/// </summary>
internal sealed class Reply : IDisposable
{
    readonly ChatModel _model;
    readonly GenerationRequest _request;
    readonly CancellationTokenSource _end;
    readonly BatchedGeneration _generation;

    Reply(ChatModel model, GenerationRequest request, CancellationTokenSource end, BatchedGeneration generation)
    {
        _model = model;
        _request = request;
        _end = end;
        _generation = generation;
    }

    /// <summary>Tokens generated (a stop id included).</summary>
    public int CompletionTokens { get; private set; }

    /// <summary>OpenAI's finish reason once the text has been read: "stop" or "length".</summary>
    public string FinishReason { get; private set; } = "length";

    /// <summary>Queues the request; throws a 429 when the queue is full, a 503 while shutting down.</summary>
    public static Reply Start(ContinuousBatcher batcher, ChatModel model, GenerationRequest request, CancellationToken aborted)
    {
        var end = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        try
        {
            return new Reply(model, request, end, batcher.Enqueue(request.Prompt, request.Sampling, end.Token));
        }
        catch (GenerationQueueFullException e)
        {
            end.Dispose();
            throw new OpenAiException(429, $"The server is busy: {e.Message}", null, "queue_full", "rate_limit_error");
        }
        catch (ArgumentException e)
        {
            end.Dispose();
            throw new OpenAiException(400, e.Message, null, "invalid_value");
        }
        catch (InvalidOperationException e)
        {
            end.Dispose();
            throw new OpenAiException(503, $"The server is not taking requests: {e.Message}", null, "unavailable", "server_error");
        }
    }

    /// <summary>The reply's text, delta by delta (some may be empty), ending once the request has ended.</summary>
    public async IAsyncEnumerable<string> TextAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reply = new ReplyText(_model.Tokenizer, _request.Sampling.StopTokenIds, _request.Stop);
        await foreach (int id in _generation.ReadTokensAsync(cancellationToken).ConfigureAwait(false))
        {
            CompletionTokens++;
            string text = reply.Push(id);
            if (text.Length > 0) yield return text;
            if (reply.Stopped) break;
        }
        bool stopped = reply.Stopped;
        if (stopped) _end.Cancel(); // frees the row now (a stop sequence ends before the batcher knows)
        string rest = reply.Finish();
        if (rest.Length > 0) yield return rest;

        var reason = await _generation.Completion.ConfigureAwait(false);
        if (reason == BatchFinishReason.Cancelled && !stopped)
            throw new OperationCanceledException("The request was cancelled.", cancellationToken);
        FinishReason = reply.Stopped || reason == BatchFinishReason.Stop ? "stop" : "length";
    }

    /// <summary>Frees the request's row if it is still running.</summary>
    public void Dispose()
    {
        _end.Cancel();
        _end.Dispose();
    }
}
