using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class AddedTokenSplitterTests
{
    static string Show(string text, List<TextSplit> splits) =>
        string.Join("|", splits.Select(s => s.Token is null ? text.Substring(s.Start, s.Length) : $"[{s.Token.Id}]"));

    [Fact]
    public void SplitsLeftmostAndLongest()
    {
        var splitter = new AddedTokenSplitter([new AddedToken("<a>", 1), new AddedToken("<a><b>", 2), new AddedToken("<b>", 3)]);
        const string text = "x<a><b>y<b><a>";
        Assert.Equal("x|[2]|y|[3]|[1]", Show(text, splitter.Split(text)));
    }

    [Fact]
    public void NoTokens_OneOrdinaryRun()
    {
        var splitter = new AddedTokenSplitter([new AddedToken("<a>", 1)]);
        Assert.Equal("plain < text", Show("plain < text", splitter.Split("plain < text")));
        Assert.Empty(splitter.Split(""));
    }

    [Fact]
    public void LStripAndRStrip_AbsorbWhitespace()
    {
        var splitter = new AddedTokenSplitter([new AddedToken("<m>", 7, LStrip: true, RStrip: true)]);
        const string text = "a  <m>  b";
        Assert.Equal("a|[7]|b", Show(text, splitter.Split(text)));
    }
}
