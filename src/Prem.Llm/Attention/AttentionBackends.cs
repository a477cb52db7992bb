namespace Prem.Llm.Attention;

/// <summary>Looks up the built-in attention backends by name.</summary>
public static class AttentionBackends
{
    /// <summary>"eager" or "sdpa" (case-insensitive); other backends are constructed by their packages.</summary>
    public static IAttentionBackend Create(string name) => name.ToLowerInvariant() switch
    {
        "eager" => new EagerAttention(),
        "sdpa" => new SdpaAttention(),
        _ => throw new ArgumentException($"Unknown attention backend \"{name}\"; built in: eager, sdpa.", nameof(name)),
    };
}
