using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class EncodedConversationTests
{
    [Fact]
    public void TrainedTokenCount_CountsNonIgnoredLabels() =>
        Assert.Equal(2, new EncodedConversation([1, 2, 3, 4], [-100, 2, -100, 4]).TrainedTokenCount);
}
