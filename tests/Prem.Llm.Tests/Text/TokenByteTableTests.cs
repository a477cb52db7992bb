using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class TokenByteTableTests
{
    static TokenByteTable Table(bool strip) => new([" a"u8.ToArray(), [0xC3], [0xA9], "<x>"u8.ToArray()], [false, false, false, true], strip);

    [Fact]
    public void BytesJoinAcrossIds_BeforeUtf8Decoding() => Assert.Equal("a\u00e9", Table(true).Decode([0, 1, 2], skipSpecialTokens: true));

    [Fact]
    public void LeadingSpace_StrippedOnceOnlyWhenAsked()
    {
        Assert.Equal(" a a", Table(false).Decode([0, 0], true));
        Assert.Equal("a a", Table(true).Decode([0, 0], true));
    }

    [Fact]
    public void SpecialTokens_SkippedOrKept()
    {
        Assert.Equal("<x> a", Table(true).Decode([3, 0], skipSpecialTokens: false));
        Assert.Equal("a", Table(true).Decode([3, 0], skipSpecialTokens: true));
    }

    [Fact]
    public void OutOfRangeId_Throws() => Assert.Throws<ArgumentOutOfRangeException>(() => Table(true).IsSpecial(4));
}
