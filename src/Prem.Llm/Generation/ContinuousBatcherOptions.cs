namespace Prem.Llm.Generation;

/// <summary>Limits of a <see cref="ContinuousBatcher"/>.</summary>
public sealed record ContinuousBatcherOptions
{
    /// <summary>Requests decoded together (rows of one batched step); the default is 16.</summary>
    public int MaxRows { get; init; } = 16;

    /// <summary>Requests that may wait for a free row; one more is refused with <see cref="GenerationQueueFullException"/>. Default 64.</summary>
    public int MaxQueueLength { get; init; } = 64;

    /// <summary>Tokens per row (prompt plus new tokens); 0 (the default) uses the model's max_position_embeddings.</summary>
    public int ContextLength { get; init; }

    /// <summary>Use the CPU engine's batched decode where it applies (default true); false runs requests one at a time through <see cref="TextGenerator"/>.</summary>
    public bool UseCpuEngine { get; init; } = true;

    /// <summary>
    /// How the CPU engine holds the weights, as <see cref="TextGenerator.CpuWeights"/>: <see cref="Generation.CpuWeights.Int8"/>
    /// and <see cref="Generation.CpuWeights.Bf16"/> make their copy when the batcher starts (requests then match a
    /// <see cref="TextGenerator"/> with the same setting).
    /// </summary>
    public CpuWeights CpuWeights { get; init; }

    /// <summary>Checks ranges; throws <see cref="ArgumentException"/> naming the option.</summary>
    public ContinuousBatcherOptions Validate()
    {
        if (MaxRows is < 1 or > 128) throw new ArgumentException($"MaxRows must be in [1, 128], got {MaxRows}.", nameof(MaxRows));
        if (MaxQueueLength < 0) throw new ArgumentException($"MaxQueueLength must be ≥ 0, got {MaxQueueLength}.", nameof(MaxQueueLength));
        if (ContextLength < 0) throw new ArgumentException($"ContextLength must be ≥ 0, got {ContextLength}.", nameof(ContextLength));
        return this;
    }
}
