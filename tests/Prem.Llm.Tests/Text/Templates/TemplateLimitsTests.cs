using Prem.Llm.Text.Templates;

namespace Prem.Llm.Tests.Text.Templates;

// The sandbox: hostile templates fail quickly with a clear error, inputs never change, no .NET member is reachable.
public class TemplateLimitsTests
{
    [Fact]
    public void Loops_StopAtTheIterationLimit() =>
        Assert.Contains("MaxLoopIterations", Jinja.Fails("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}").Message);

    [Fact]
    public void Range_IsCappedLikeTheSandbox() => Assert.Contains("MAX_RANGE", Jinja.Fails("{{ range(10 ** 9) | length }}").Message);

    [Fact]
    public void Strings_StopAtTheLengthLimit()
    {
        Assert.Contains("MaxOutputLength", Jinja.Fails("{{ 'a' * 100000000 }}").Message);
        Assert.Contains("MaxOutputLength", Jinja.Fails("{% for i in range(1000) %}{{ 'x' * 100 }}{% endfor %}", limits: new TemplateLimits { MaxOutputLength = 5000 }).Message);
        Assert.Contains("MaxOutputLength", Jinja.Fails("{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}").Message);
    }

    [Fact]
    public void Recursion_StopsAtTheDepthLimit()
    {
        Assert.Contains("MaxRecursionDepth", Jinja.Fails("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}").Message);
        Assert.Contains("MaxRecursionDepth", Jinja.Fails("{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}").Message);
    }

    [Fact]
    public void NoDotNetMembers_AreReachable()
    {
        Assert.Equal("", Jinja.Render("{{ ''.__class__ }}{{ 'a'.Length }}{{ [1].Count }}{{ {}.GetType }}"));
        Assert.Contains("unsafe", Jinja.Fails("{{ ''.__class__.__mro__ }}").Message);
        Assert.Throws<ArgumentException>(() => JinjaTemplate.Parse("{{ x }}").Render(new Dictionary<string, object?> { ["x"] = new Uri("http://a") }));
    }

    [Fact]
    public void Inputs_AreNeverChanged()
    {
        var list = new List<object?> { "a" };
        var dict = new Dictionary<string, object?> { ["k"] = "v" };
        var vars = new Dictionary<string, object?> { ["xs"] = list, ["d"] = dict };
        Assert.Contains("non-namespace", Jinja.Fails("{% set d.k = 1 %}", vars).Message);
        Jinja.Fails("{{ xs.append(1) }}", vars);
        Assert.Equal("['a']", Jinja.Render("{% set xs = xs + ['b'] %}{% set ys = xs %}", vars) + PrintList(list));
        Assert.Equal("v", dict["k"]);
    }

    static string PrintList(List<object?> list) => "['" + string.Join("', '", list) + "']";
}
