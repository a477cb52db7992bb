using Prem.Llm.AI;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.AI;

public class ChatConversationTests
{
    [Fact]
    public void Messages_are_the_system_message_the_turns_and_the_new_question()
    {
        var conversation = new ChatConversation("Be kind.");
        conversation.Add("Hi", "Hello!");
        Assert.Equal([new("system", "Be kind."), new("user", "Hi"), new("assistant", "Hello!"), new ChatMessage("user", "Bye")], conversation.Messages("Bye"));
        conversation.System = null;
        Assert.Equal(3, conversation.Messages("Bye").Count);
        conversation.Reset();
        Assert.Empty(conversation.Turns);
        Assert.Equal([new ChatMessage("user", "Bye")], conversation.Messages("Bye"));
    }

    [Fact]
    public void Prompt_forgets_the_oldest_exchanges_until_the_reply_fits()
    {
        using var model = ChatModel.Load(ChatTestModels.Stories);
        var conversation = new ChatConversation("Tell stories.");
        string longText = string.Concat(Enumerable.Repeat("The dog ran to the park and played with the ball. ", 6));
        for (int i = 0; i < 8; i++) conversation.Add($"Question {i}: {longText}", $"Answer {i}: {longText}");
        var (prompt, forgotten) = conversation.Prompt(model, "And then?", room: 100);
        Assert.True(forgotten > 0);
        Assert.InRange(prompt.Count, 1, model.ContextLength - 100);
        // Exactly the oldest ones went, and one more exchange would not have fitted.
        Assert.Equal(2 * (8 - forgotten), conversation.Turns.Count);
        Assert.StartsWith($"Question {forgotten}:", conversation.Turns[0].Content);
        Assert.Equal(prompt, model.EncodePrompt(conversation.Messages("And then?")));

        var e = Assert.Throws<ArgumentException>(() => new ChatConversation().Prompt(model, longText + longText + longText, room: 400));
        Assert.Contains("does not fit the model's 512-token context window", e.Message);
    }
}
