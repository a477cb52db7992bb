using Prem.Llm.Text.Templates;

namespace Prem.Llm.Tests.Text.Templates;

// One case per statement; expected outputs are jinja2 3.1's.
public class InterpreterTests
{
    [Theory]
    [InlineData("{% for x in [1,2,3] %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}", "10TrueFalse3|21FalseFalse3|32FalseTrue3|")]
    [InlineData("{% for x in 'abc' %}{{ loop.revindex }}{{ loop.revindex0 }}{% endfor %}", "322110")]
    [InlineData("{% for x in [1,2,3] %}{{ loop.previtem }}-{{ loop.nextitem }},{% endfor %}", "-2,1-3,2-,")]
    [InlineData("{% for x in [] %}a{% else %}empty{% endfor %}", "empty")]
    [InlineData("{% for x in range(6) if x is odd %}{{ x }}{{ loop.length }} {% endfor %}", "13 33 53 ")]
    [InlineData("{% for x in range(10) %}{% if x == 5 %}{% break %}{% endif %}{% if x is even %}{% continue %}{% endif %}{{ x }}{% endfor %}", "13")]
    [InlineData("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}", "a=1;b=2;")]
    [InlineData("{% for k in {'a': 1, 'b': 2} %}{{ k }}{% endfor %}", "ab")]
    [InlineData("{% for i in range(4) %}{{ loop.cycle('a', 'b') }}{% endfor %}", "abab")]
    [InlineData("{% for x in [[1, 2], [3]] %}{% for y in x %}{{ loop.index }}{% endfor %}{{ loop.index }};{% endfor %}", "121;12;")]
    [InlineData("{% for item in [{'n': 'a', 'c': [{'n': 'b', 'c': []}]}] recursive %}{{ item.n }}{% if item.c %}({{ loop(item.c) }}){% endif %}{% endfor %}", "a(b)")]
    [InlineData("{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{% endfor %}{{ x }}", "1")]
    [InlineData("{% if true %}{% set x = 2 %}{% endif %}{{ x }}", "2")]
    [InlineData("{% if false %}a{% elif true %}b{% else %}c{% endif %}", "b")]
    [InlineData("{% if 0 %}a{% elif '' %}b{% else %}c{% endif %}", "c")]
    [InlineData("{% set ns = namespace(c=0) %}{% for i in range(3) %}{% set ns.c = ns.c + i %}{% endfor %}{{ ns.c }}", "3")]
    [InlineData("{% set a, b = 1, 2 %}{{ a }}{{ b }}", "12")]
    [InlineData("{% set x %}hi {{ 1 + 1 }}{% endset %}[{{ x }}]", "[hi 2]")]
    [InlineData("{% set x | upper %}hi{% endset %}{{ x }}", "HI")]
    [InlineData("{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('Bob') }} {{ greet('Al', greeting='Hi') }}", "Hello, Bob! Hi, Al!")]
    [InlineData("{% macro f(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ f(1, 2, k=3) }}", "1(2,){'k': 3}")]
    [InlineData("{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}inner{% endcall %}", "<inner>")]
    [InlineData("{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}{% call(v) each([1, 2]) %}[{{ v }}]{% endcall %}", "[1][2]")]
    [InlineData("{% filter upper %}abc{{ 'd' }}{% endfilter %}", "ABCD")]
    [InlineData("{% with a = 2 %}{{ a }}{% endwith %}{{ a }}", "2")]
    [InlineData("{% generation %}abc{% endgeneration %}", "abc")]
    public void Statements_BehaveAsJinja2(string source, string expected) => Assert.Equal(expected, Jinja.Render(source));

    [Fact]
    public void Generation_RecordsTheSpans()
    {
        var t = JinjaTemplate.Parse("a{% generation %}bc{% endgeneration %}d{% for x in [1] %}{% generation %}{{ x }}{% endgeneration %}{% endfor %}");
        Assert.True(t.HasGenerationBlocks);
        var (text, spans) = t.RenderTracked(new Dictionary<string, object?>());
        Assert.Equal("abcd1", text);
        Assert.Equal([(1, 3), (4, 5)], spans);
        Assert.False(JinjaTemplate.Parse("{{ 1 }}").HasGenerationBlocks);
    }

    [Fact]
    public void Errors_CarryLineAndColumn()
    {
        var e = Jinja.Fails("ok\n\n  {{ 1 / 0 }}");
        Assert.Equal(3, e.Line);
        Assert.Equal("division by zero", e.Reason);
        var raised = Jinja.Fails("{% if true %}\n{{ raise_exception('Conversation roles must alternate') }}{% endif %}");
        Assert.True(raised.RaisedByTemplate);
        Assert.Equal("Conversation roles must alternate", raised.Reason);
        Assert.Equal(2, raised.Line);
    }

    [Fact]
    public void StrftimeNow_UsesTheGivenClock()
    {
        var t = JinjaTemplate.Parse("{{ strftime_now('%d %B %Y %H:%M') }}|{{ strftime_now('%-d %b') }}");
        Assert.Equal("15 January 2026 09:30|15 Jan", t.Render(new Dictionary<string, object?>(), new DateTime(2026, 1, 15, 9, 30, 0)));
    }
}
