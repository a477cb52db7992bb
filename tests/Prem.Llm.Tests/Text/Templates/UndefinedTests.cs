namespace Prem.Llm.Tests.Text.Templates;

// jinja2's default Undefined: lenient for printing, truth, iteration and length; strict for access, arithmetic and calls.
public class UndefinedTests
{
    [Theory]
    [InlineData("[{{ x }}]", "[]")]
    [InlineData("{% for i in x %}a{% endfor %}", "")]
    [InlineData("{% if x %}a{% else %}b{% endif %}", "b")]
    [InlineData("{{ x ~ 'a' }}", "a")]
    [InlineData("{{ x == y }}{{ x == none }}", "TrueFalse")]
    [InlineData("{{ {}.y }}{{ {}['y'] }}{{ [1][5] }}", "")]
    [InlineData("{{ x | length }}{{ x | default(1) }}{{ x | trim }}{{ x | list }}", "01[]")]
    [InlineData("{{ 'a' in x }}", "False")]
    public void Lenient_WhereJinja2IsLenient(string source, string expected) => Assert.Equal(expected, Jinja.Render(source));

    [Theory]
    [InlineData("{{ x.y }}", "'x' is undefined")]
    [InlineData("{{ x['y'] }}", "'x' is undefined")]
    [InlineData("{{ {}.y.z }}", "'dict object' has no attribute 'y'")]
    [InlineData("{{ x + 1 }}", "'x' is undefined")]
    [InlineData("{{ x < 1 }}", "'x' is undefined")]
    [InlineData("{{ x() }}", "'x' is undefined")]
    [InlineData("{{ messages[0].content.strip() }}", "'messages' is undefined")]
    public void Strict_WhereJinja2Raises(string source, string fragment) => Assert.Equal(fragment, Jinja.Fails(source).Reason);
}
