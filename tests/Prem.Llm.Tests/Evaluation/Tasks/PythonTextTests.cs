using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation.Tasks;

public class PythonTextTests
{
    // Expected values are what CPython 3.11 returns for the same calls (stripping: PythonStripTests).
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
