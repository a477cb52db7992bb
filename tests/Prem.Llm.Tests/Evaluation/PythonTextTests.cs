using Prem.Llm.Evaluation;

namespace Prem.Llm.Tests.Evaluation;

public class PythonTextTests
{
    // Expected values are what CPython 3.11 returns for the same calls.
    [Theory]
    [InlineData(" \t a b \n", "a b")]
    [InlineData("\u001Fx\u001C", "x")] // Python whitespace that .NET's Trim keeps
    [InlineData("\u00A0x\u3000", "x")]
    [InlineData("", "")]
    public void Strip_matches_python(string input, string expected) => Assert.Equal(expected, PythonText.Strip(input));

    [Fact]
    public void Lstrip_and_rstrip_strip_one_side()
    {
        Assert.Equal("a ", PythonText.LStrip("  a "));
        Assert.Equal("  a", PythonText.RStrip("  a \n"));
        Assert.Equal("\u001Fa", "\u001Fa".Trim()); // the difference that motivates this class
    }

    [Theory]
    [InlineData("abc", 3)]
    [InlineData("a\U0001F600b", 3)]
    [InlineData("é", 1)]
    public void Code_point_length_counts_surrogate_pairs_once(string text, int expected) =>
        Assert.Equal(expected, PythonText.CodePointLength(text));

    [Theory]
    [InlineData("hELLO wORLD", "Hello world")]
    [InlineData("\u01C6emal", "\u01C5emal")]
    [InlineData("1ABC", "1abc")]
    [InlineData("", "")]
    public void Capitalize_matches_python(string input, string expected) => Assert.Equal(expected, PythonText.Capitalize(input));
}
