using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Prem.Llm.AI;

namespace Prem.Llm.Tests.AI;

public class PremChatClientServiceCollectionExtensionsTests
{
    [Fact]
    public async Task The_registered_client_resolves_and_answers_through_middleware()
    {
        var services = new ServiceCollection();
        int calls = 0;
        services.AddPremChatClient(ChatTestModels.Successor(ChatTestModels.Chain("ok")))
            .Use((messages, options, next, cancellationToken) => { calls++; return next(messages, options, cancellationToken); });
        ChatModel model;
        using (var provider = services.BuildServiceProvider())
        {
            var client = provider.GetRequiredService<IChatClient>();
            Assert.Same(client, provider.GetRequiredService<IChatClient>());
            var response = await client.GetResponseAsync("hi");
            Assert.Equal(("ok", ChatFinishReason.Stop), (response.Text, response.FinishReason));
            Assert.Equal(1, calls);
            Assert.Equal(PremChatClient.ProviderName, client.GetService<ChatClientMetadata>()!.ProviderName);
            model = client.GetService<ChatModel>()!;
        }
        // The provider owned the client it created, and the client the model it loaded: both are gone.
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => { await foreach (var _ in model.StreamAsync([1], model.Sampling())) { } });
    }

    [Fact]
    public async Task A_loaded_model_and_keyed_folders_register_too()
    {
        using var model = ChatModel.Load(ChatTestModels.Successor(ChatTestModels.Chain("yes")));
        var services = new ServiceCollection();
        services.AddPremChatClient(model);
        services.AddKeyedPremChatClient("second", ChatTestModels.Successor(ChatTestModels.Chain("no")), new ChatModelOptions { Name = "second-model" });
        using (var provider = services.BuildServiceProvider())
        {
            Assert.Equal("yes", (await provider.GetRequiredService<IChatClient>().GetResponseAsync("q")).Text);
            var keyed = provider.GetRequiredKeyedService<IChatClient>("second");
            Assert.Equal("no", (await keyed.GetResponseAsync("q")).Text);
            Assert.Equal("second-model", keyed.GetService<ChatClientMetadata>()!.DefaultModelId);
        }
        // A model the caller passed in stays the caller's.
        Assert.Equal("yes", (await new PremChatClient(model).GetResponseAsync("q")).Text);
    }
}
