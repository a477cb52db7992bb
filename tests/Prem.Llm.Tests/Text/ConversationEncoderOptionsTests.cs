using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class ConversationEncoderOptionsTests
{
    [Fact]
    public void Defaults_AllTurnsStandardRolesThrowOnError()
    {
        var o = new ConversationEncoderOptions();
        Assert.Equal(AssistantTurns.All, o.TrainOn);
        Assert.Null(o.DefaultSystemPrompt);
        Assert.False(o.SkipInvalid);
        Assert.Equal(["assistant", "system", "user"], o.Roles.Order());
    }

    [Fact]
    public void CustomRoles_Accepted()
    {
        var enc = new ConversationEncoder(TextTestData.Llama3, Llama3ChatTemplate.Llama3,
            new ConversationEncoderOptions { Roles = new HashSet<string> { "user", "assistant", "ipython" } });
        var e = enc.Encode([new ChatMessage("ipython", "42"), new ChatMessage("assistant", "ok")])!;
        Assert.Contains("ipython", TextTestData.Llama3.Decode(e.InputIds));
    }
}
