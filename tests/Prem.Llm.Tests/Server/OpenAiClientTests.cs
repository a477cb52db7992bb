using System.ClientModel;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace Prem.Llm.Tests.Server;

/// <summary>The server through real clients: the official OpenAI .NET package and Microsoft.Extensions.AI.OpenAI's IChatClient.</summary>
public class OpenAiClientTests
{
    static ChatClient Client(LiveServer live, string key = "unused") =>
        new(live.Name, new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(live.BaseUri, "v1") });

    [Fact]
    public async Task The_openai_package_gets_the_generator_greedy_text_streamed_and_not()
    {
        await using var live = await LiveServer.StartAsync();
        string expected = live.Reference("Tell me a story.", 30);
        var client = Client(live);
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 30, Temperature = 0 };

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Tell me a story.")], options);
        Assert.Equal(expected, completion.Content[0].Text);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.True(completion.Usage.OutputTokenCount is > 0 and <= 30);

        var streamed = new System.Text.StringBuilder();
        OpenAI.Chat.ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Tell me a story.")], options))
        {
            foreach (var part in update.ContentUpdate) streamed.Append(part.Text);
            finish ??= update.FinishReason;
        }
        Assert.Equal(expected, streamed.ToString());
        Assert.Equal(completion.FinishReason, finish);
    }

    [Fact]
    public async Task The_openai_package_sees_openai_errors()
    {
        await using var live = await LiveServer.StartAsync(new Prem.Llm.Server.PremServerOptions { ApiKey = "right" });
        var wrong = await Assert.ThrowsAsync<ClientResultException>(() => Client(live, "wrong").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, wrong.Status);
        Assert.Contains("Incorrect API key", wrong.Message);
        var tooMany = await Assert.ThrowsAsync<ClientResultException>(() =>
            Client(live, "right").CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 100_000 }));
        Assert.Equal(400, tooMany.Status);
        Assert.Contains("maximum context length", tooMany.Message);
        var ok = await Client(live, "right").CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 3 });
        Assert.NotNull(ok.Value);
    }

    [Fact]
    public async Task Microsoft_extensions_ai_chat_client_over_openai_gets_the_same_text()
    {
        await using var live = await LiveServer.StartAsync();
        string expected = live.Reference("Tell me a story.", 25);
        IChatClient chat = Client(live).AsIChatClient();
        var options = new ChatOptions { MaxOutputTokens = 25, Temperature = 0 };

        var response = await chat.GetResponseAsync([new Microsoft.Extensions.AI.ChatMessage(ChatRole.User, "Tell me a story.")], options);
        Assert.Equal(expected, response.Text);
        Assert.NotNull(response.Usage);
        Assert.True(response.Usage!.OutputTokenCount is > 0 and <= 25);

        var streamed = new System.Text.StringBuilder();
        await foreach (var update in chat.GetStreamingResponseAsync([new Microsoft.Extensions.AI.ChatMessage(ChatRole.User, "Tell me a story.")], options))
            streamed.Append(update.Text);
        Assert.Equal(expected, streamed.ToString());
    }
}
