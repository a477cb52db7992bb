using System.Threading.Channels;

namespace Prem.Llm.Generation;

/// <summary>
/// One request in a <see cref="ContinuousBatcher"/>: its new tokens as they are produced (ending with the
/// stop id when one was produced, as <see cref="TextGenerator"/> returns them) and why it ended.
/// </summary>
public sealed class BatchedGeneration
{
    readonly Channel<int> _tokens = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    readonly TaskCompletionSource<BatchFinishReason> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _generated;

    internal BatchedGeneration(int[] prompt, SamplingOptions options, CancellationToken cancellationToken)
    {
        PromptIds = prompt;
        Options = options;
        CancellationToken = cancellationToken;
    }

    /// <summary>The prompt's token ids.</summary>
    public IReadOnlyList<int> Prompt => PromptIds;

    /// <summary>How tokens are picked and when the request stops.</summary>
    public SamplingOptions Options { get; }

    /// <summary>Tokens produced so far.</summary>
    public int GeneratedTokens => Volatile.Read(ref _generated);

    /// <summary>Completes with the reason the request ended (faults when the batcher failed).</summary>
    public Task<BatchFinishReason> Completion => _completion.Task;

    /// <summary>
    /// The new tokens as they are produced; ends when the request ends. Cancelling
    /// <paramref name="cancellationToken"/> stops reading only (cancel the token given to
    /// <see cref="ContinuousBatcher.Enqueue"/> to stop the generation).
    /// </summary>
    public IAsyncEnumerable<int> ReadTokensAsync(CancellationToken cancellationToken = default) =>
        _tokens.Reader.ReadAllAsync(cancellationToken);

    internal int[] PromptIds { get; }

    internal CancellationToken CancellationToken { get; }

    internal bool IsFinished => _completion.Task.IsCompleted;

    internal void Write(int token)
    {
        Interlocked.Increment(ref _generated);
        _tokens.Writer.TryWrite(token);
    }

    internal void Finish(BatchFinishReason reason)
    {
        if (!_completion.TrySetResult(reason)) return;
        _tokens.Writer.TryComplete();
    }

    internal void Fail(Exception error)
    {
        if (!_completion.TrySetException(error)) return;
        _tokens.Writer.TryComplete(error);
    }
}
