using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class IChatTemplateTests
{
    // A different layout, to show that a template is one method: "<|begin_of_text|>" then "role: content<|eot_id|>".
    sealed class ColonTemplate : IChatTemplate
    {
        public IReadOnlyList<ChatSegment> RenderSegments(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
        {
            var s = new List<ChatSegment> { new("<|begin_of_text|>", true, -1) };
            for (int i = 0; i < messages.Count; i++)
            {
                s.Add(new ChatSegment(messages[i].Role + ": " + messages[i].Content, false, i, LabelFrom: messages[i].Role.Length + 2));
                s.Add(new ChatSegment("<|eot_id|>", true, i, LabelFrom: 0));
            }
            if (addGenerationPrompt) s.Add(new ChatSegment("assistant:", false, -1));
            return s;
        }
    }

    [Fact]
    public void DefaultRender_JoinsSegments()
    {
        IChatTemplate t = new ColonTemplate();
        Assert.Equal("<|begin_of_text|>user: hi<|eot_id|>assistant:", t.Render([new ChatMessage("user", "hi")], true));
    }

    [Fact]
    public void CustomTemplate_WorksWithConversationEncoder()
    {
        var tok = TextTestData.Llama3;
        var messages = new List<ChatMessage> { new("user", "hi"), new("assistant", "hello there") };
        var e = new ConversationEncoder(tok, new ColonTemplate()).Encode(messages)!;
        Assert.Equal(tok.EncodeWithSpecialTokens(new ColonTemplate().RenderSegments(messages, false).Aggregate("", (a, s) => a + s.Text)), e.InputIds);
        var trained = e.InputIds.Where((_, i) => e.Labels[i] != ConversationEncoder.IgnoreIndex).ToList();
        Assert.Equal(" hello there<|eot_id|>", tok.Decode(trained, skipSpecialTokens: false));
    }
}
