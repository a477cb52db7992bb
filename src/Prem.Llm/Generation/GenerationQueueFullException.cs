namespace Prem.Llm.Generation;

/// <summary>
/// Thrown by <see cref="ContinuousBatcher.Enqueue"/> when <see cref="ContinuousBatcherOptions.MaxQueueLength"/>
/// requests already wait for a row; the caller should retry later (an HTTP server answers 429).
/// </summary>
public sealed class GenerationQueueFullException : InvalidOperationException
{
    /// <summary>An exception for a queue of <paramref name="maxQueueLength"/> waiting requests.</summary>
    public GenerationQueueFullException(int maxQueueLength)
        : base($"The generation queue is full ({maxQueueLength} requests waiting); try again later.") =>
        MaxQueueLength = maxQueueLength;

    /// <summary>The queue's limit that was reached.</summary>
    public int MaxQueueLength { get; }
}
