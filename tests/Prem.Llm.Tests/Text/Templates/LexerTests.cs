namespace Prem.Llm.Tests.Text.Templates;

// Expected outputs follow jinja2 3.1 with trim_blocks=True, lstrip_blocks=True (transformers' settings).
public class LexerTests
{
    [Theory]
    [InlineData("{% if true %}\nyes\n{% endif %}\n", "yes\n")]
    [InlineData("  {% if true %}x{% endif %}", "x")]
    [InlineData("a  {% if true %}x{% endif %}", "a  x")]
    [InlineData("{{ 'a' }}  \n  {{ 'b' }}", "a  \n  b")]
    [InlineData("a   {%- if true -%}   b   {%- endif %}", "ab")]
    [InlineData("a \n {{- 'b' -}} \n c", "abc")]
    [InlineData("  {%+ if true %}x{% endif %}", "  x")]
    [InlineData("{% if true +%}\nx{% endif %}", "\nx")]
    [InlineData("{# comment #}\nx", "x")]
    [InlineData("a {#- comment -#} b", "ab")]
    [InlineData("line\n    {% set x = 1 %}\nnext", "line\nnext")]
    [InlineData("{% raw %}{{ x }}{% if %}{% endraw %}", "{{ x }}{% if %}")]
    [InlineData("a\r\nb", "a\nb")]
    [InlineData("x\n", "x")]
    [InlineData("x\n\n", "x\n")]
    [InlineData("{{ '%}' }}", "%}")]
    [InlineData("{{ {'a': {'b': 2}}['a']['b'] }}", "2")]
    [InlineData("{% for x in [1, 2] %}\n  {{ x }}\n{% endfor %}", "  1\n  2\n")]
    public void WhitespaceControl_MatchesJinja2(string source, string expected) => Assert.Equal(expected, Jinja.Render(source));

    [Theory]
    [InlineData("{{ 'a\\nb' }}", "a\nb")]
    [InlineData("{{ \"\\u00e9\\x41\\t\" }}", "éA\t")]
    [InlineData("{{ 'it\\'s' }}", "it's")]
    [InlineData("{{ 'a' 'b' }}", "ab")]
    [InlineData("{{ 1_000 }}", "1000")]
    [InlineData("{{ 0x1F }}", "31")]
    [InlineData("{{ 2.5e1 }}", "25.0")]
    public void Literals_DecodeLikePython(string source, string expected) => Assert.Equal(expected, Jinja.Render(source));

    [Theory]
    [InlineData("{{ 'abc }}", 1)]
    [InlineData("ok\n{# never closed", 2)]
    [InlineData("\n\n{{ 1 ! 2 }}", 3)]
    [InlineData("{{ 1 ) }}", 1)]
    public void BadSyntax_ErrorsWithLine(string source, int line)
    {
        var e = Jinja.Fails(source);
        Assert.Equal(line, e.Line);
        Assert.True(e.Column > 0);
        Assert.Contains($"line {line}", e.Message);
    }
}
