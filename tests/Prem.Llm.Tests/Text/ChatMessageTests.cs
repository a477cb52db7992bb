using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class ChatMessageTests
{
    [Fact]
    public void RoleNames_AreHfs() => Assert.Equal(["system", "user", "assistant"], new[] { ChatMessage.System, ChatMessage.User, ChatMessage.Assistant });

    [Fact]
    public void ValueEquality() => Assert.Equal(new ChatMessage("user", "hi"), new ChatMessage("user", "hi"));
}
