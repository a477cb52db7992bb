using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class PythonStripTests
{
    // Python 3.11: ''.join(chr(c) for c in range(0x110000) if chr(c).isspace())
    const string PythonWhitespace = "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

    [Fact]
    public void WhitespaceSet_EqualsPythonIsspace()
    {
        var ours = Enumerable.Range(0, 0x10000).Select(c => (char)c).Where(PythonStrip.IsPythonWhitespace);
        Assert.Equal(PythonWhitespace, string.Concat(ours));
    }

    [Fact]
    public void DiffersFromDotNetTrim_ExactlyOnInformationSeparators()
    {
        var differ = Enumerable.Range(0, 0x10000).Select(c => (char)c).Where(c => PythonStrip.IsPythonWhitespace(c) != char.IsWhiteSpace(c)).ToArray();
        Assert.Equal(['\x1c', '\x1d', '\x1e', '\x1f'], differ);
        Assert.Equal("x", PythonStrip.Strip("\x1c x \x1f"));
        Assert.Equal("\x1c x \x1f", "\x1c x \x1f".Trim());
    }

    [Theory]
    [InlineData("  hi  ", "hi")]
    [InlineData("\u3000\u2028hi\u00a0\u202f", "hi")]
    [InlineData("\u200bhi\ufeff", "\u200bhi\ufeff")] // zero-width space and BOM are not whitespace to Python
    [InlineData("\u180ehi", "\u180ehi")]
    [InlineData("   ", "")]
    [InlineData("a b", "a b")]
    public void Strip_BothEnds(string input, string expected) => Assert.Equal(expected, PythonStrip.Strip(input));

    // Expected values are what CPython 3.11 returns for the same calls.
    [Theory]
    [InlineData(" \t a b \n", "a b")]
    [InlineData("\u001Fx\u001C", "x")] // Python whitespace that .NET's Trim keeps
    [InlineData("\u00A0x\u3000", "x")]
    [InlineData("", "")]
    public void Strip_matches_python(string input, string expected) => Assert.Equal(expected, PythonStrip.Strip(input));

    [Fact]
    public void Lstrip_and_rstrip_strip_one_side()
    {
        Assert.Equal("a ", PythonStrip.LStrip("  a "));
        Assert.Equal("  a", PythonStrip.RStrip("  a \n"));
        Assert.Equal("\u001Fa", "\u001Fa".Trim()); // the difference that motivates this class
        Assert.Equal("a", PythonStrip.LStrip("\u001Fa"));
    }
}
