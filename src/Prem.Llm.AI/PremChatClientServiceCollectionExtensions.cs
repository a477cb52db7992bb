using Microsoft.Extensions.AI;
using Prem.Llm.AI;

// In the namespace of IServiceCollection, as Microsoft.Extensions.AI's own AddChatClient, so no extra using is needed.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="PremChatClient"/> as the <see cref="IChatClient"/> of a service collection.</summary>
public static class PremChatClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="IChatClient"/> over the model folder <paramref name="folder"/>, loaded on first
    /// use and disposed with the service provider. Returns the builder for middleware (<c>.UseLogging()</c>, …).
    /// </summary>
    public static ChatClientBuilder AddPremChatClient(this IServiceCollection services, string folder, ChatModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(folder);
        return services.AddChatClient(_ => new PremChatClient(folder, options));
    }

    /// <summary>Registers a singleton <see cref="IChatClient"/> over an already loaded <paramref name="model"/> (the caller keeps ownership).</summary>
    public static ChatClientBuilder AddPremChatClient(this IServiceCollection services, ChatModel model)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(model);
        return services.AddChatClient(_ => new PremChatClient(model));
    }

    /// <summary>The keyed form of <see cref="AddPremChatClient(IServiceCollection, string, ChatModelOptions?)"/>, for several models in one app.</summary>
    public static ChatClientBuilder AddKeyedPremChatClient(this IServiceCollection services, object? serviceKey, string folder, ChatModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(folder);
        return services.AddKeyedChatClient(serviceKey, _ => new PremChatClient(folder, options));
    }
}
