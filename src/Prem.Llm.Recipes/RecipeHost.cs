using Prem.Llm.Attention;
using Prem.Llm.Distributed.Launch;

namespace Prem.Llm.Recipes;

/// <summary>
/// What the application running a recipe provides: attention backends the core library cannot name
/// (e.g. Prem.Llm.Cuda's flash attention) and where notices go.
/// </summary>
public sealed record RecipeHost
{
    /// <summary>Creates a backend for a name other than "eager" and "sdpa" (e.g. "flash"), or returns null when it is not available here.</summary>
    public Func<string, IAttentionBackend?>? ResolveAttention { get; init; }

    /// <summary>Receives notices such as an attention fallback; null discards them.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>
    /// The ranks training together: loaders read this rank's share of every global batch and the trainer
    /// reduces gradients across ranks. One process by default; hosts launched by mpirun, srun or a
    /// torchrun-style launcher pass <see cref="Distributed.Launch.Communicators.FromEnvironment"/>.
    /// </summary>
    public Distributed.ICommunicator Communicator { get; init; } = new Distributed.SingleProcessCommunicator();

    /// <summary>The backend called <paramref name="name"/> and the name actually used (falls back to "sdpa" with a notice).</summary>
    public (IAttentionBackend Backend, string Name) Attention(string name)
    {
        if (name is "eager" or "sdpa") return (AttentionBackends.Create(name), name);
        if (ResolveAttention?.Invoke(name) is { } backend) return (backend, name);
        Log?.WriteLine($"notice: attention backend \"{name}\" is not available in this host; using \"sdpa\".");
        return (AttentionBackends.Create("sdpa"), "sdpa");
    }
}
