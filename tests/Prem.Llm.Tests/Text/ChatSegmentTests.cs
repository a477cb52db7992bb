using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class ChatSegmentTests
{
    [Fact]
    public void NotTrainedUnlessLabelFromGiven()
    {
        Assert.Equal(-1, new ChatSegment("user", false, 0).LabelFrom);
        Assert.Equal(new ChatSegment("<|eot_id|>", true, 2, 0), new ChatSegment("<|eot_id|>", true, 2, 0));
    }
}
