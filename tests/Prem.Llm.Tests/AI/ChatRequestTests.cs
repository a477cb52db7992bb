using Microsoft.Extensions.AI;
using Prem.Llm.AI;
using AiMessage = Microsoft.Extensions.AI.ChatMessage;
using PremMessage = Prem.Llm.Text.ChatMessage;

namespace Prem.Llm.Tests.AI;

public class ChatRequestTests
{
    static readonly AiMessage[] _messages = [new(ChatRole.User, "Hello"), new(ChatRole.Assistant, "Hi!"), new(ChatRole.User, "A story, please")];

    [Fact]
    public void Without_options_the_folder_defaults_apply()
    {
        using var model = ChatModel.Load(ChatTestModels.Stories);
        var request = ChatRequest.Create(model, _messages, null);
        Assert.Equal(model.EncodePrompt([new("user", "Hello"), new("assistant", "Hi!"), new("user", "A story, please")]), request.Prompt);
        Assert.Equal(model.Sampling(request.Prompt.Count), request.Sampling with { StopTokenIds = model.StopTokenIds });
        Assert.Empty(request.StopSequences);
    }

    [Fact]
    public void ChatOptions_map_onto_sampling_and_instructions_become_the_system_message()
    {
        using var model = ChatModel.Load(ChatTestModels.Stories);
        var options = new ChatOptions
        {
            Temperature = 0.5f, TopP = 0.8f, TopK = 7, MaxOutputTokens = 33, Seed = 42, StopSequences = ["\n\n", "The end"],
            Instructions = "Answer in one line.", FrequencyPenalty = 0.3f, Tools = [],
            AdditionalProperties = new() { ["repetition_penalty"] = 1.3 },
        };
        var request = ChatRequest.Create(model, _messages, options);
        var s = request.Sampling;
        Assert.Equal((0.5, 0.8, 7, 33, 42L), (s.Temperature, Math.Round(s.TopP, 6), s.TopK, s.MaxNewTokens, s.Seed));
        Assert.Equal(model.StopTokenIds, s.StopTokenIds);
        Assert.Equal(1.3, s.RepetitionPenalty);
        Assert.Equal(["\n\n", "The end"], request.StopSequences);
        PremMessage[] withSystem = [new("system", "Answer in one line."), new("user", "Hello"), new("assistant", "Hi!"), new("user", "A story, please")];
        Assert.Equal(model.EncodePrompt(withSystem), request.Prompt);
    }

    [Theory]
    [InlineData("MaxOutputTokens", "ChatOptions.MaxOutputTokens must be positive, got -1.")]
    [InlineData("Temperature", "ChatOptions.Temperature must be ≥ 0, got -0.5.")]
    [InlineData("TopP", "ChatOptions.TopP must be in (0, 1], got 0.")]
    [InlineData("TopK", "ChatOptions.TopK must be ≥ 0 (0 is off), got -3.")]
    [InlineData("StopSequences", "ChatOptions.StopSequences[1] is empty.")]
    [InlineData("repetition_penalty", "ChatOptions.AdditionalProperties[\"repetition_penalty\"] must be a number > 0, got high.")]
    public void Out_of_range_options_are_named_as_ChatOptions_names_them(string option, string message)
    {
        using var model = ChatModel.Load(ChatTestModels.Stories);
        var options = option switch
        {
            "MaxOutputTokens" => new ChatOptions { MaxOutputTokens = -1 },
            "Temperature" => new ChatOptions { Temperature = -0.5f },
            "TopP" => new ChatOptions { TopP = 0 },
            "TopK" => new ChatOptions { TopK = -3 },
            "repetition_penalty" => new ChatOptions { AdditionalProperties = new() { ["repetition_penalty"] = "high" } },
            _ => new ChatOptions { StopSequences = ["ok", ""] },
        };
        var e = Assert.Throws<ArgumentException>(() => ChatRequest.Create(model, _messages, options));
        Assert.StartsWith(message, e.Message);
    }
}
