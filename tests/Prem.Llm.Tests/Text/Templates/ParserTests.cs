namespace Prem.Llm.Tests.Text.Templates;

// Precedence and grammar as jinja2's parser (expected values computed by jinja2 3.1).
public class ParserTests
{
    [Theory]
    [InlineData("{{ 1 + 2 * 3 }}", "7")]
    [InlineData("{{ (1 + 2) * 3 }}", "9")]
    [InlineData("{{ 2 ** 3 ** 2 }}", "64")]
    [InlineData("{{ -2 ** 2 }}", "4")]
    [InlineData("{{ not true or true }}", "True")]
    [InlineData("{{ not (true or true) }}", "False")]
    [InlineData("{{ 'a' ~ 2 * 3 }}", "a6")]
    [InlineData("{{ 1 ~ 2 ~ none }}", "12None")]
    [InlineData("{{ 1 < 2 < 3 }}", "True")]
    [InlineData("{{ 3 > 2 > 2 }}", "False")]
    [InlineData("{{ 'yes' if 0 else 'no' }}", "no")]
    [InlineData("{{ 'yes' if 0 }}", "")]
    [InlineData("{{ 'a' if false else 'b' if true else 'c' }}", "b")]
    [InlineData("{{ [1, 2, 3][1:] | length }}", "2")]
    [InlineData("{{ not x is defined }}", "True")]
    [InlineData("{{ x is not defined and 1 is number }}", "True")]
    [InlineData("{{ -1 | abs }}", "1")]
    [InlineData("{{ 'ab' | upper ~ 'c' }}", "ABc")]
    [InlineData("{{ (1, 2) }}", "(1, 2)")]
    [InlineData("{{ (1,) }}", "(1,)")]
    [InlineData("{{ 1, 2 }}", "(1, 2)")]
    [InlineData("{{ [1, 2,] }}", "[1, 2]")]
    [InlineData("{{ {'a': 1,} }}", "{'a': 1}")]
    [InlineData("{{ {'a': 1}.a }}", "1")]
    [InlineData("{{ [[1, 2]].0.1 }}", "2")]
    public void Expressions_FollowJinja2Precedence(string source, string expected) => Assert.Equal(expected, Jinja.Render(source));

    [Theory]
    [InlineData("{% if true %}", "endif")]
    [InlineData("{% for x in y %}", "endfor")]
    [InlineData("{% endfor %}", "endfor")]
    [InlineData("{% include 'x' %}", "include")]
    [InlineData("{{ 1 + }}", "expected")]
    [InlineData("{% set true = 1 %}", "assign")]
    [InlineData("{{ 1 + 1 ~ 2 }}", "unsupported operand")]
    [InlineData("{% macro f(a=1, b) %}{% endmacro %}", "non-default")]
    public void Errors_NameTheProblem(string source, string fragment) => Assert.Contains(fragment, Jinja.Fails(source).Message);

    [Fact]
    public void DeepNesting_FailsCleanly()
    {
        string source = "{{ " + new string('(', 5000) + "1" + new string(')', 5000) + " }}";
        Assert.Contains("nesting", Jinja.Fails(source).Message);
        string blocks = string.Concat(Enumerable.Repeat("{% if true %}", 1000)) + string.Concat(Enumerable.Repeat("{% endif %}", 1000));
        Assert.Contains("nesting", Jinja.Fails(blocks).Message);
    }
}
