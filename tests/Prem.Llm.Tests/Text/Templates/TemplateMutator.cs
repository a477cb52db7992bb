namespace Prem.Llm.Tests.Text.Templates;

/// <summary>
/// Mutates a template source: deletes, duplicates or swaps ranges, inserts Jinja syntax fragments
/// (tag delimiters, keywords, operators, hostile calls such as <c>range(99999)</c> or deep nesting),
/// truncates. Deterministic for a given <see cref="Random"/>.
/// </summary>
public static class TemplateMutator
{
    static readonly string[] _fragments =
    [
        "{%", "%}", "{{", "}}", "{#", "#}", "-", "+", "(", ")", "[", "]", "{", "}", "'", "\"", "|", " is ", " not ", " in ",
        "{% for x in range(99999) %}", "{% endfor %}", "{% if ", "{% endif %}", "{% else %}", "{% elif x %}", "loop.", "loop(loop)",
        " * 99999", " ** 99", " ~ ", "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "{% call m() %}", "caller()", "namespace(",
        "{% set ns.x = ", "raise_exception('x')", ".", ",", ":", "\\", "\n", " recursive", "{% break %}", "{% continue %}",
        "{% raw %}", "{% endraw %}", "{% generation %}", "{% endgeneration %}", "| tojson(indent=9)", "| join", "| map('upper')",
        "| selectattr('role')", "| indent(999)", "messages", "messages[0]", "[::-1]", ".split('a')", ".__class__", "none", "1e308",
        "((((((((((", "]]]]]]", "'a' * 9999999", "{% set x %}", "{% endset %}", "{% filter upper %}", "{% endfilter %}", "strftime_now('%Y')",
    ];

    public static string Mutate(string source, Random random, out string how)
    {
        int rounds = 1 + random.Next(4);
        var steps = new List<string>();
        for (int r = 0; r < rounds; r++)
        {
            int at = source.Length == 0 ? 0 : random.Next(source.Length + 1);
            int len = source.Length - at == 0 ? 0 : random.Next(Math.Min(40, source.Length - at) + 1);
            switch (random.Next(6))
            {
                case 0:
                    source = source.Remove(at, len);
                    steps.Add($"delete {at}+{len}");
                    break;
                case 1:
                    source = source.Insert(at, source.Substring(at, len));
                    steps.Add($"duplicate {at}+{len}");
                    break;
                case 2:
                case 3:
                    string fragment = _fragments[random.Next(_fragments.Length)];
                    source = source.Insert(at, fragment);
                    steps.Add($"insert '{fragment}' at {at}");
                    break;
                case 4:
                    int other = random.Next(source.Length + 1);
                    int len2 = Math.Min(len, source.Length - Math.Max(at, other));
                    if (len2 > 0 && Math.Abs(other - at) >= len2)
                    {
                        string a = source.Substring(at, len2), b = source.Substring(other, len2);
                        var chars = source.ToCharArray();
                        a.CopyTo(0, chars, other, len2);
                        b.CopyTo(0, chars, at, len2);
                        source = new string(chars);
                    }
                    steps.Add($"swap {at}/{other}+{len2}");
                    break;
                default:
                    source = source[..at];
                    steps.Add($"truncate {at}");
                    break;
            }
        }
        how = string.Join(", ", steps);
        return source;
    }
}
