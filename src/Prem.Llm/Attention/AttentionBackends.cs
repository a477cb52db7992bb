namespace Prem.Llm.Attention;

/// <summary>Looks up the built-in attention backends by name.</summary>
public static class AttentionBackends
{
    /// <summary>
    /// "eager" (<see cref="EagerAttention"/>) or "sdpa" (<see cref="AutoSdpaAttention"/>), case-insensitive; other
    /// backends are constructed by their packages, or directly (<see cref="SdpaAttention"/>: LibTorch's fused kernel always).
    /// </summary>
    public static IAttentionBackend Create(string name) => name.ToLowerInvariant() switch
    {
        "eager" => new EagerAttention(),
        "sdpa" => new AutoSdpaAttention(),
        _ => throw new ArgumentException($"Unknown attention backend \"{name}\"; built in: eager, sdpa.", nameof(name)),
    };
}
