using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prem.Llm.AI;
using Prem.Llm.Generation;

namespace Prem.Llm.Server;

/// <summary>
/// An OpenAI-compatible HTTP server over a <see cref="ChatModel"/>: <c>POST /v1/chat/completions</c> (JSON or
/// server-sent events), <c>POST /v1/completions</c>, <c>GET /v1/models</c> and <c>GET /health</c>. Concurrent
/// requests share the model through a <see cref="ContinuousBatcher"/>; a full queue answers 429, bad requests
/// 4xx with OpenAI's error shape, and a client that disconnects frees its row.
/// </summary>
public sealed class PremServer : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ContinuousBatcher _batcher;
    readonly PremServerOptions _options;
    int _stopped;

    PremServer(WebApplication app, ContinuousBatcher batcher, PremServerOptions options, ChatModel model)
    {
        _app = app;
        _batcher = batcher;
        _options = options;
        Model = model;
    }

    /// <summary>The model served (the caller keeps ownership and disposes it after the server).</summary>
    public ChatModel Model { get; }

    /// <summary>The addresses the server listens on, with the ports chosen for port 0.</summary>
    public IReadOnlyList<string> Urls =>
        [.. _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];

    /// <summary>Whether requests are decoded together (the CPU engine) rather than one at a time.</summary>
    public bool IsBatched => _batcher.IsBatched;

    /// <summary>
    /// Starts listening on <see cref="PremServerOptions.Urls"/>. Without an API key, a URL beyond loopback gets a
    /// warning through <see cref="PremServerOptions.Log"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static async Task<PremServer> StartAsync(ChatModel model, PremServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        options = (options ?? new PremServerOptions()).Validate();
        if (options.ApiKey is null && options.Urls.FirstOrDefault(u => !LoopbackUrls.IsLoopback(u)) is { } open)
            options.Log?.Invoke($"warning: listening on {open} without an API key: anyone who can reach this address can use the model. Pass an API key (prem serve --api-key) or listen on 127.0.0.1.");

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownTimeout);
        // The host does not own the process: the caller decides when to stop (prem serve on Ctrl+C).
        builder.Services.AddSingleton<IHostLifetime, CallerLifetime>();
        var app = builder.Build();

        var batcher = new ContinuousBatcher(model.Model, new ContinuousBatcherOptions
        {
            MaxRows = options.MaxConcurrentRequests, MaxQueueLength = options.MaxQueueLength, ContextLength = options.ContextLength > 0 ? Math.Min(options.ContextLength, model.ContextLength) : model.ContextLength,
            UseCpuEngine = model.Generator.UseCpuEngine, CpuWeights = model.Generator.CpuWeights,
        });
        new OpenAiEndpoints(model, batcher, options).Map(app);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await batcher.DisposeAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new PremServer(app, batcher, options, model);
    }

    /// <summary>
    /// Stops gracefully: no new connections, in-flight requests finish within
    /// <see cref="PremServerOptions.ShutdownTimeout"/> (or until <paramref name="cancellationToken"/> is cancelled),
    /// then the rest are cancelled.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ShutdownTimeout);
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        await _batcher.StopAsync(timeout.Token).ConfigureAwait(false);
    }

    /// <summary>Stops (see <see cref="StopAsync"/>) and frees the server; the model stays with the caller.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _batcher.DisposeAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
