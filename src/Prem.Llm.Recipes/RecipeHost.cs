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

    /// <summary>
    /// The device to train on, overriding the recipe (<c>trainer.accelerator</c>): "cpu", "cuda" (this rank's GPU)
    /// or "cuda:N"; null follows the recipe. The CLI's <c>--device</c>.
    /// </summary>
    public string? Device { get; init; }

    /// <summary>
    /// The backend called <paramref name="name"/> for models on the CPU and the name actually used: the built-in
    /// ones, a <see cref="ResolveAttention"/> backend, else "sdpa" with a notice (for "flash" on a device see
    /// <see cref="Attention(string, TorchSharp.torch.Device, string)"/>).
    /// </summary>
    public (IAttentionBackend Backend, string Name) Attention(string name)
    {
        if (name is "eager" or "sdpa") return (AttentionBackends.Create(name), name);
        if (ResolveAttention?.Invoke(name) is { } backend) return (backend, name);
        Log?.WriteLine($"notice: attention backend \"{name}\" is not available in this host; using \"sdpa\".");
        return (AttentionBackends.Create("sdpa"), "sdpa");
    }

    /// <summary>
    /// The backend called <paramref name="name"/> for a model on <paramref name="device"/>. "flash" is
    /// Prem.Llm.Cuda's kernel on CUDA (masks it cannot express — key padding, KV-cache decode — run "sdpa"),
    /// and an error on the CPU; "flash_reference" is the kernels' CPU reference (float32, slow; for checks).
    /// A <see cref="ResolveAttention"/> backend wins over both.
    /// </summary>
    /// <param name="name">"eager", "sdpa", "flash", "flash_reference" or a host's name.</param>
    /// <param name="device">Where the model runs.</param>
    /// <param name="keyPath">The recipe key that chose the backend, for errors.</param>
    /// <exception cref="RecipeException">"flash" on the CPU, or an unknown name; names <paramref name="keyPath"/>.</exception>
    public (IAttentionBackend Backend, string Name) Attention(string name, TorchSharp.torch.Device device, string keyPath)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (name is "eager" or "sdpa") return (AttentionBackends.Create(name), name);
        if (ResolveAttention?.Invoke(name) is { } backend) return (backend, name);
        switch (name)
        {
            case "flash" when device.type == TorchSharp.DeviceType.CUDA:
                return (new Cuda.Attention.FlashAttentionBackend(fallback: new AutoSdpaAttention()), name);
            case "flash":
                throw new RecipeException(null, keyPath, "flash attention runs on CUDA only, and this run trains on the CPU "
                    + "(trainer.accelerator / --device). On the CPU use attention: sdpa, or attention: flash_reference to run the kernels' "
                    + "CPU reference (float32 precision, slow; for checking)");
            case "flash_reference":
                return (Cuda.Reference.ReferenceFlashAttention.Create(new AutoSdpaAttention()), name);
            default:
                throw new RecipeException(null, keyPath, $"attention backend \"{name}\" is not available in this host");
        }
    }
}
