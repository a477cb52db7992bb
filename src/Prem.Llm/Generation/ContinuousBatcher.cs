using System.Runtime.CompilerServices;
using Prem.Llm.Generation.Cpu;
using Prem.Llm.Modeling;

namespace Prem.Llm.Generation;

/// <summary>
/// Shares one model between concurrent requests by continuous batching: requests wait in a bounded queue,
/// one decode loop admits them into free rows between steps (the prompt is prefilled as it joins), advances
/// every active row in one batched step, and frees a row when its request stops (stop id, max tokens or
/// cancellation). Each request is picked with its own seeded sampler, so its tokens equal
/// <see cref="TextGenerator"/>'s for the same prompt and options whatever else is being decoded.
/// </summary>
/// <remarks>
/// The batched step runs on the CPU engine (one pass over the weights for all rows). Where that engine
/// does not apply (weights on a GPU, float16, a custom attention backend) or
/// <see cref="ContinuousBatcherOptions.UseCpuEngine"/> is false, requests run one at a time through
/// <see cref="TextGenerator"/>. The engine reads the model's weights when the batcher is built: do not
/// move or reload the model while the batcher runs.
/// </remarks>
public sealed class ContinuousBatcher : IAsyncDisposable
{
    readonly LlamaForCausalLM _model;
    readonly ContinuousBatcherOptions _options;
    readonly LinkedList<BatchedGeneration> _queue = new();
    readonly SemaphoreSlim _signal = new(0);
    readonly CancellationTokenSource _abort = new();
    readonly object _gate = new();
    readonly Task _loop;
    int _active;
    bool _stopping;
    Exception? _failure;

    /// <summary>Starts the decode loop for <paramref name="model"/>.</summary>
    public ContinuousBatcher(LlamaForCausalLM model, ContinuousBatcherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _options = (options ?? new ContinuousBatcherOptions()).Validate();
        ContextLength = _options.ContextLength > 0 ? _options.ContextLength : model.Config.MaxPositionEmbeddings;
        IsBatched = _options.UseCpuEngine && CpuLlama.Unsupported(model) is null;
        _loop = IsBatched
            ? Task.Factory.StartNew(RunBatched, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            : Task.Run(RunOneAtATimeAsync);
    }

    /// <summary>Whether requests are decoded together on the CPU engine (false: one at a time).</summary>
    public bool IsBatched { get; }

    /// <summary>Most tokens per request, prompt included.</summary>
    public int ContextLength { get; }

    /// <summary>Rows decoded together: <see cref="ContinuousBatcherOptions.MaxRows"/> when batched, else 1.</summary>
    public int MaxRows => IsBatched ? _options.MaxRows : 1;

    /// <summary>Requests being decoded now.</summary>
    public int ActiveRequests => Volatile.Read(ref _active);

    /// <summary>Requests waiting for a row.</summary>
    public int QueuedRequests { get { lock (_gate) return _queue.Count; } }

    /// <summary>
    /// Queues a request; its tokens arrive on the returned <see cref="BatchedGeneration"/>. Cancelling
    /// <paramref name="cancellationToken"/> ends it (its row is freed before the next step).
    /// </summary>
    /// <exception cref="ArgumentException">An empty prompt, an id outside the vocabulary, bad options, or more than <see cref="ContextLength"/> tokens in all.</exception>
    /// <exception cref="GenerationQueueFullException"><see cref="ContinuousBatcherOptions.MaxQueueLength"/> requests already wait.</exception>
    /// <exception cref="InvalidOperationException">The batcher is shutting down or has failed.</exception>
    public BatchedGeneration Enqueue(IReadOnlyList<int> prompt, SamplingOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (prompt.Count == 0) throw new ArgumentException("The prompt is empty; start it with at least one token (e.g. BOS).", nameof(prompt));
        int vocab = _model.Config.VocabSize;
        foreach (int id in prompt)
            if (id < 0 || id >= vocab) throw new ArgumentException($"The prompt has token id {id}, outside the vocabulary [0, {vocab}).", nameof(prompt));
        if ((long)prompt.Count + options.MaxNewTokens > ContextLength)
            throw new ArgumentException($"The prompt's {prompt.Count} tokens plus {options.MaxNewTokens} new tokens exceed the context length {ContextLength}.", nameof(options));

        var request = new BatchedGeneration(prompt.ToArray(), options, cancellationToken);
        if (options.MaxNewTokens == 0)
        {
            request.Finish(BatchFinishReason.Length);
            return request;
        }
        lock (_gate)
        {
            if (_failure is not null) throw new InvalidOperationException("The batcher failed; see the inner exception.", _failure);
            if (_stopping) throw new InvalidOperationException("The batcher is shutting down and takes no new requests.");
            // Admitted requests count as active at once, so queued beyond the free rows is what waits.
            if (_queue.Count + Volatile.Read(ref _active) >= MaxRows + _options.MaxQueueLength)
                throw new GenerationQueueFullException(_options.MaxQueueLength);
            _queue.AddLast(request);
        }
        _signal.Release();
        return request;
    }

    /// <summary>Queues a request and returns its new tokens as they are produced (see <see cref="Enqueue"/>).</summary>
    public async IAsyncEnumerable<int> GenerateAsync(IReadOnlyList<int> prompt, SamplingOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = Enqueue(prompt, options, cancellationToken);
        await foreach (int token in request.ReadTokensAsync(cancellationToken).ConfigureAwait(false))
        {
            // Tokens already buffered are read without looking at the token: stop at once when asked.
            cancellationToken.ThrowIfCancellationRequested();
            yield return token;
        }
        if (await request.Completion.ConfigureAwait(false) == BatchFinishReason.Cancelled)
            throw new OperationCanceledException(cancellationToken.IsCancellationRequested ? cancellationToken : CancellationToken.None);
    }

    /// <summary>
    /// Stops taking requests and lets the queued and running ones finish; when
    /// <paramref name="cancellationToken"/> is cancelled first, the rest end as <see cref="BatchFinishReason.Cancelled"/>.
    /// Returns when the decode loop has ended.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate) _stopping = true;
        _signal.Release();
        using (cancellationToken.Register(() => _abort.Cancel()))
            await _loop.ConfigureAwait(false);
    }

    /// <summary>Cancels queued and running requests and waits for the decode loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate) _stopping = true;
        _abort.Cancel();
        _signal.Release();
        await _loop.ConfigureAwait(false);
    }

    bool Ended(BatchedGeneration request) => request.CancellationToken.IsCancellationRequested || _abort.IsCancellationRequested;

    /// <summary>Takes up to <paramref name="free"/> queued requests; drops cancelled ones. False when the loop should end.</summary>
    bool Admit(int free, List<BatchedGeneration> joining, bool busy)
    {
        while (true)
        {
            lock (_gate)
            {
                for (var node = _queue.First; node is not null;)
                {
                    var next = node.Next;
                    if (Ended(node.Value))
                    {
                        node.Value.Finish(BatchFinishReason.Cancelled);
                        _queue.Remove(node);
                    }
                    node = next;
                }
                while (joining.Count < free && _queue.First is { } first)
                {
                    joining.Add(first.Value);
                    _queue.RemoveFirst();
                }
                // The caller holds these as active before the lock is released, so the queue limit sees them.
                Interlocked.Add(ref _active, joining.Count);
                if (busy || joining.Count > 0) return true;
                if (_stopping) return false;
            }
            _signal.Wait();
        }
    }

    void FailAll(Exception error, IEnumerable<BatchedGeneration> running)
    {
        List<BatchedGeneration> queued;
        lock (_gate)
        {
            _failure = error;
            queued = [.. _queue];
            _queue.Clear();
            Volatile.Write(ref _active, 0);
        }
        foreach (var request in running.Concat(queued)) request.Fail(error);
    }

    /// <summary>The batched loop on the CPU engine, on its own thread.</summary>
    void RunBatched()
    {
        var rows = new List<BatchRow>();
        try
        {
            int maxRows = _options.MaxRows, vocab = _model.Config.VocabSize;
            var engine = new CpuLlama(_model, TextGenerator.EngineFormat(_options.CpuWeights), maxTokens: Math.Max(128, maxRows));
            var decoder = new BatchedDecoder(engine, maxRows, ContextLength);
            var stepLogits = new float[maxRows * vocab];
            var slots = new int[maxRows];
            var tokens = new int[maxRows];
            var joining = new List<BatchedGeneration>();
            while (true)
            {
                joining.Clear();
                if (!Admit(maxRows - rows.Count, joining, rows.Count > 0)) return;
                foreach (var request in joining)
                {
                    if (Ended(request))
                    {
                        request.Finish(BatchFinishReason.Cancelled);
                        Interlocked.Decrement(ref _active);
                        continue;
                    }
                    var row = new BatchRow(request, vocab);
                    rows.Add(row);
                    row.Slot = decoder.Join(request.PromptIds, row.Logits);
                }

                // Pick each row's next token; rows that stop leave before the step.
                for (int i = rows.Count - 1; i >= 0; i--)
                {
                    var row = rows[i];
                    var reason = row.Advance(Ended(row.Request));
                    if (reason is not { } finished) continue;
                    decoder.Leave(row.Slot);
                    rows.RemoveAt(i);
                    row.Dispose();
                    Interlocked.Decrement(ref _active);
                    row.Request.Finish(finished);
                }
                if (rows.Count == 0) continue;

                for (int i = 0; i < rows.Count; i++) (slots[i], tokens[i]) = (rows[i].Slot, rows[i].LastToken);
                decoder.Step(slots.AsSpan(0, rows.Count), tokens.AsSpan(0, rows.Count), stepLogits.AsSpan(0, rows.Count * vocab));
                for (int i = 0; i < rows.Count; i++) stepLogits.AsSpan(i * vocab, vocab).CopyTo(rows[i].Logits);
            }
        }
        catch (Exception e)
        {
            FailAll(e, rows.Select(r => r.Request));
        }
        finally
        {
            foreach (var row in rows) row.Dispose();
        }
    }

    /// <summary>The fallback: one request at a time through <see cref="TextGenerator"/>.</summary>
    async Task RunOneAtATimeAsync()
    {
        var generator = new TextGenerator(_model) { UseCpuEngine = _options.UseCpuEngine, CpuWeights = _options.CpuWeights };
        var joining = new List<BatchedGeneration>(1);
        BatchedGeneration? current = null;
        try
        {
            while (true)
            {
                joining.Clear();
                if (!await Task.Run(() => Admit(1, joining, busy: false)).ConfigureAwait(false)) return;
                current = joining[0];
                var request = current;
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(request.CancellationToken, _abort.Token);
                var stops = request.Options.StopTokenIds;
                int last = -1;
                BatchFinishReason reason = BatchFinishReason.Length;
                try
                {
                    await foreach (int token in generator.GenerateStreaming(request.PromptIds, request.Options, linked.Token).ConfigureAwait(false))
                    {
                        request.Write(token);
                        last = token;
                    }
                    if (last >= 0 && stops.Contains(last)) reason = BatchFinishReason.Stop;
                }
                catch (OperationCanceledException) when (linked.IsCancellationRequested)
                {
                    reason = BatchFinishReason.Cancelled;
                }
                Interlocked.Decrement(ref _active);
                current = null;
                request.Finish(reason);
            }
        }
        catch (Exception e)
        {
            FailAll(e, current is null ? [] : [current]);
        }
    }
}
