namespace Prem.Llm.Tests.Text.Templates;

// Python 3 str/dict/list methods as templates call them.
public class PyMethodsTests
{
    [Theory]
    [InlineData("{{ 'a,b,,c'.split(',') }}", "['a', 'b', '', 'c']")]
    [InlineData("{{ '  a \\t b \\n'.split() }}", "['a', 'b']")]
    [InlineData("{{ 'a,b,c'.split(',', 1) }}|{{ 'a,b,c'.rsplit(',', 1) }}|{{ ' a b c '.rsplit(None, 1) }}", "['a', 'b,c']|['a,b', 'c']|[' a b', 'c']")]
    [InlineData("{{ 'r</think>\\n\\ny'.split('</think>')[-1].lstrip('\\n') }}", "y")]
    [InlineData("{{ '\\n\\nab\\n'.strip('\\n') }}|{{ 'xxabyy'.lstrip('x') }}|{{ '  a  '.rstrip() }}|{{ ' \\x1ca '.strip() }}", "ab|abyy|  a|a")]
    [InlineData("{{ 'abc'.startswith(('x', 'a')) }}{{ 'abc'.endswith('bc') }}{{ 'abc'.startswith('b', 1) }}", "TrueTrueTrue")]
    [InlineData("{{ 'aXbX'.replace('X', '-') }}|{{ 'aXbX'.replace('X', '-', 1) }}|{{ 'ab'.replace('', '.') }}", "a-b-|a-bX|.a.b.")]
    [InlineData("{{ \"they're bill's\".title() }}|{{ 'hello world'.capitalize() }}|{{ 'Ab'.upper() }}{{ 'Ab'.lower() }}", "They'Re Bill'S|Hello world|ABab")]
    [InlineData("{{ '{} and {name} {0}'.format(1, name='x') }}|{{ '{{}}'.format() }}", "1 and x 1|{}")]
    [InlineData("{{ '-'.join(['a', 'b']) }}|{{ 'abcb'.find('b') }}|{{ 'abcb'.rfind('b') }}|{{ 'abcb'.count('b') }}", "a-b|1|3|2")]
    [InlineData("{{ '12'.isdigit() }}{{ 'a1'.isalpha() }}{{ ' '.isspace() }}", "TrueFalseTrue")]
    [InlineData("{{ 'a\\nb\\r\\nc'.splitlines() }}", "['a', 'b', 'c']")]
    [InlineData("{{ {'a': 1}.get('b', 2) }}|{{ {'a': 1}.get('b') }}|{{ {'a': 1}.get('a') }}", "2|None|1")]
    [InlineData("{{ {'a': 1}.keys() | list }}{{ {'a': 1}.values() | list }}{{ {'a': 1}.items() | list }}", "['a'][1][('a', 1)]")]
    [InlineData("{{ [1, 2, 1].count(1) }}{{ [1, 2].index(2) }}", "21")]
    [InlineData("{{ {'items': 5}.items }}", "")]
    public void Methods_BehaveAsPython(string source, string expected)
    {
        string rendered = Jinja.Render(source);
        if (source.Contains("'items': 5")) Assert.StartsWith("<built-in", rendered);
        else Assert.Equal(expected, rendered);
    }

    [Theory]
    [InlineData("{{ 'a'.split('') }}", "empty separator")]
    [InlineData("{{ [1].append(2) }}", "no attribute 'append'")]
    [InlineData("{{ {'a': 1}.update({'b': 2}) }}", "no attribute 'update'")]
    [InlineData("{{ {'a': 1}.pop('a') }}", "no attribute 'pop'")]
    public void MutatingOrBadCalls_Fail(string source, string fragment) => Assert.Contains(fragment, Jinja.Fails(source).Message);
}
