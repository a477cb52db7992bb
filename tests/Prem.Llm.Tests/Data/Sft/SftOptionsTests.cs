using Prem.Llm.Data;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Data.Sft;

public class SftOptionsTests
{
    [Fact]
    public void Defaults_are_the_seeds_chat_fine_tuning()
    {
        var o = new SftOptions();
        Assert.Equal(8192, o.MaxSeqLength);
        Assert.Equal(AssistantTurns.All, o.TrainOn);
        Assert.Equal("You are a helpful AI assistant.", o.DefaultSystemPrompt);
        Assert.False(o.Packing);
        Assert.False(o.SkipInvalid);
        Assert.Null(o.Template);
    }
}
