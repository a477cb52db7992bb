using Prem.Llm.Text.Templates;

namespace Prem.Llm.Tests.Text.Templates;

// Python semantics of values: arithmetic, comparisons, str()/repr(), slicing.
public class PyOpsTests
{
    [Theory]
    [InlineData("{{ 7 // 2 }}|{{ -7 // 2 }}|{{ -7 % 3 }}|{{ 7 % -3 }}|{{ 7 / 2 }}|{{ 4 / 2 }}|{{ 2 ** 10 }}|{{ 2 ** -1 }}", "3|-4|2|-2|3.5|2.0|1024|0.5")]
    [InlineData("{{ 'ab' * 3 }}|{{ [1] * 2 }}|{{ [1, 2] + [3] }}|{{ 1 + 1.5 }}|{{ true + 1 }}", "ababab|[1, 1]|[1, 2, 3]|2.5|2")]
    [InlineData("{{ 'x' in 'xyz' }}{{ 2 not in [1, 2] }}{{ 'a' in {'a': 1} }}{{ 1 == 1.0 }}{{ [1, 2] == [1, 2] }}{{ 'a' < 'b' }}{{ [1, 2] < [1, 3] }}", "TrueFalseTrueTrueTrueTrueTrue")]
    [InlineData("{{ none }}|{{ true }}|{{ [none, true, 'it\\'s', \"q\\\"\", 'a\\nb'] }}", "None|True|[None, True, \"it's\", 'q\"', 'a\\nb']")]
    [InlineData("{{ {'k': none, 1: 2.5} }}|{{ ('a',) }}", "{'k': None, 1: 2.5}|('a',)")]
    [InlineData("{{ 0.1 + 0.2 }}|{{ 1e20 }}|{{ 1.0 }}|{{ 1.5e-5 }}|{{ 123456789.0 * 10 }}|{{ 1e16 }}|{{ 1e15 }}|{{ 0.0001 }}|{{ -0.0 }}", "0.30000000000000004|1e+20|1.0|1.5e-05|1234567890.0|1e+16|1000000000000000.0|0.0001|-0.0")]
    [InlineData("{{ [1, 2, 3, 4][1:3] }}|{{ 'hello'[::-1] }}|{{ [1, 2, 3, 4][::-2] }}|{{ 'hello'[-3:] }}|{{ 'hello'[10:] }}|{{ [1, 2, 3][-1] }}", "[2, 3]|olleh|[4, 2]|llo||3")]
    [InlineData("{{ '🙂ab'[0] }}|{{ '🙂ab' | length }}|{{ '🙂ab'[::-1] }}", "🙂|3|ba🙂")]
    public void Values_BehaveAsPython(string source, string expected) => Assert.Equal(expected, Jinja.Render(source));

    [Theory]
    [InlineData("{{ 1 + 'a' }}", "unsupported operand type(s) for +: 'int' and 'str'")]
    [InlineData("{{ 1 < 'a' }}", "'<' not supported between instances of 'int' and 'str'")]
    [InlineData("{{ 1 // 0 }}", "integer division or modulo by zero")]
    [InlineData("{{ [1][::0] }}", "slice step cannot be zero")]
    [InlineData("{{ 1 in 'a' }}", "requires string as left operand")]
    [InlineData("{{ 9223372036854775807 + 1 }}", "out of range")]
    public void TypeErrors_Fail(string source, string fragment) => Assert.Contains(fragment, Jinja.Fails(source).Message);

    [Fact]
    public void FloatRepr_IsPythons()
    {
        Assert.Equal("nan", PyOps.FloatRepr(double.NaN));
        Assert.Equal("-inf", PyOps.FloatRepr(double.NegativeInfinity));
        Assert.Equal("5e-324", PyOps.FloatRepr(double.Epsilon));
        Assert.Equal("1.7976931348623157e+308", PyOps.FloatRepr(double.MaxValue));
        Assert.Equal("0.1", PyOps.FloatRepr(0.1));
    }
}
