using Microsoft.Extensions.Hosting;

namespace Prem.Llm.Server;

/// <summary>A host lifetime that leaves Ctrl+C and SIGTERM to the caller (the console lifetime would stop the host itself).</summary>
internal sealed class CallerLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
