namespace Prem.Llm.Tests.Text.Templates;

// jinja2 3.1's tests.
public class BuiltinTestsTests
{
    [Theory]
    [InlineData("{{ x is defined }}{{ x is undefined }}", "FalseTrue")]
    [InlineData("{{ none is none }}{{ 0 is none }}", "TrueFalse")]
    [InlineData("{{ 'a' is string }}{{ 1 is string }}", "TrueFalse")]
    [InlineData("{{ 1 is number }}{{ 1.5 is number }}{{ 'a' is number }}", "TrueTrueFalse")]
    [InlineData("{{ 1 is integer }}{{ 1.0 is float }}", "TrueTrue")]
    [InlineData("{{ {} is mapping }}{{ [] is mapping }}", "TrueFalse")]
    [InlineData("{{ [] is iterable }}{{ 'a' is iterable }}{{ 1 is iterable }}", "TrueTrueFalse")]
    [InlineData("{{ 'a' is sequence }}{{ [] is sequence }}{{ 1 is sequence }}", "TrueTrueFalse")]
    [InlineData("{{ true is boolean }}{{ 1 is boolean }}", "TrueFalse")]
    [InlineData("{{ true is true }}{{ 1 is true }}{{ false is false }}{{ 0 is false }}", "TrueFalseTrueFalse")]
    [InlineData("{{ 2 is equalto 2 }}{{ 2 is eq 3 }}{{ [1, 2] | select('==', 2) | list }}{{ 2 is ne 3 }}", "TrueFalse[2]True")]
    [InlineData("{{ 1 is lt 2 }}{{ 2 is gt 1 }}{{ 2 is le 2 }}{{ 2 is ge 3 }}", "TrueTrueTrueFalse")]
    [InlineData("{{ none is sameas none }}{{ true is sameas true }}{{ 1 is sameas true }}", "TrueTrueFalse")]
    [InlineData("{{ 'a' is in 'abc' }}{{ 4 is in [1, 2] }}", "TrueFalse")]
    [InlineData("{{ 3 is odd }}{{ 3 is even }}{{ 9 is divisibleby 3 }}", "TrueFalseTrue")]
    [InlineData("{{ 1 is not none }}{{ x is not defined }}", "TrueTrue")]
    [InlineData("{{ 'ab' is lower }}{{ 'AB' is upper }}{{ 'Ab' is lower }}", "TrueTrueFalse")]
    [InlineData("{{ range is callable }}{{ 1 is callable }}", "TrueFalse")]
    [InlineData("{{ 'upper' is filter }}{{ 'odd' is test }}{{ 'nope' is filter }}", "TrueTrueFalse")]
    public void Tests_BehaveAsJinja2(string source, string expected) => Assert.Equal(expected, Jinja.Render(source));

    [Fact]
    public void UnknownTest_Fails() => Assert.Contains("No test named 'nosuch'", Jinja.Fails("{{ 1 is nosuch }}").Message);
}
