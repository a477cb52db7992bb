namespace Prem.Llm.Server;

/// <summary>Where a <see cref="PremServer"/> listens and the limits it enforces.</summary>
public sealed record PremServerOptions
{
    /// <summary>The addresses to listen on (port 0 picks a free port); the default is http://127.0.0.1:8080.</summary>
    public IReadOnlyList<string> Urls { get; init; } = ["http://127.0.0.1:8080"];

    /// <summary>When set, every /v1 request needs <c>Authorization: Bearer</c> this key (401 otherwise); /health stays open.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Largest request body in bytes (413 beyond); the default is 1 MiB.</summary>
    public long MaxRequestBodyBytes { get; init; } = 1 << 20;

    /// <summary>Requests decoded together by the continuous batcher; the default is 16.</summary>
    public int MaxConcurrentRequests { get; init; } = 16;

    /// <summary>Requests that may wait for a free row (429 beyond); the default is 64.</summary>
    public int MaxQueueLength { get; init; } = 64;

    /// <summary>
    /// Tokens per request, prompt included; 0 (the default) uses the model's context window. The batcher keeps a
    /// KV cache of this many positions for each of <see cref="MaxConcurrentRequests"/> rows, so a smaller value
    /// saves memory on models with long windows.
    /// </summary>
    public int ContextLength { get; init; }

    /// <summary>How long a graceful stop lets in-flight requests finish before cancelling them; the default is 10 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Receives warnings and unexpected errors (one line each); null drops them.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Checks ranges; throws <see cref="ArgumentException"/> naming the option.</summary>
    public PremServerOptions Validate()
    {
        if (Urls is null || Urls.Count == 0) throw new ArgumentException("Give at least one URL to listen on.", nameof(Urls));
        if (ApiKey is { Length: 0 }) throw new ArgumentException("ApiKey is empty; leave it null for no key.", nameof(ApiKey));
        if (MaxRequestBodyBytes < 1024) throw new ArgumentException($"MaxRequestBodyBytes must be ≥ 1024, got {MaxRequestBodyBytes}.", nameof(MaxRequestBodyBytes));
        if (MaxConcurrentRequests is < 1 or > 128) throw new ArgumentException($"MaxConcurrentRequests must be in [1, 128], got {MaxConcurrentRequests}.", nameof(MaxConcurrentRequests));
        if (ContextLength < 0) throw new ArgumentException($"ContextLength must be ≥ 0, got {ContextLength}.", nameof(ContextLength));
        if (MaxQueueLength < 0) throw new ArgumentException($"MaxQueueLength must be ≥ 0, got {MaxQueueLength}.", nameof(MaxQueueLength));
        if (ShutdownTimeout < TimeSpan.Zero) throw new ArgumentException($"ShutdownTimeout must be ≥ 0, got {ShutdownTimeout}.", nameof(ShutdownTimeout));
        return this;
    }
}
