using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class AddedTokenTests
{
    [Fact]
    public void Defaults_SpecialWithoutStripping()
    {
        var t = new AddedToken("<|eot_id|>", 32002);
        Assert.True(t.Special);
        Assert.False(t.LStrip);
        Assert.False(t.RStrip);
    }

    [Fact]
    public void DummyPrefixMode_DefaultIsHfLegacy() => Assert.Equal(DummyPrefixMode.EverySegment, default(DummyPrefixMode));
}
