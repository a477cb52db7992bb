namespace Prem.Llm.Text.Templates;

/// <summary>jinja2's built-in tests (<c>x is defined</c>, <c>x is string</c>, <c>x is equalto y</c>, …).</summary>
internal static class BuiltinTests
{
    public static bool Exists(string name) => name is "defined" or "undefined" or "none" or "string" or "number" or "integer" or "float"
        or "mapping" or "iterable" or "sequence" or "boolean" or "true" or "false" or "eq" or "equalto" or "==" or "ne" or "!="
        or "lt" or "lessthan" or "<" or "gt" or "greaterthan" or ">" or "le" or "<=" or "ge" or ">=" or "sameas" or "in"
        or "odd" or "even" or "divisibleby" or "callable" or "lower" or "upper" or "escaped" or "filter" or "test";

    public static bool Apply(Interpreter interpreter, string name, object? value, List<object?> args, Dictionary<string, object?>? kwargs)
    {
        object? Arg(int i) => i < args.Count ? args[i] : throw new PyError($"test '{name}' needs {i + 1} argument(s)");
        switch (name)
        {
            case "defined": return value is not Undefined;
            case "undefined": return value is Undefined;
            case "none": return value is null;
            case "string": return value is string;
            case "number": return value is long or double or bool;
            case "integer": return value is long;
            case "float": return value is double;
            case "mapping": return value is Dictionary<object, object?>;
            case "iterable": return value is string or List<object?> or object?[] or Dictionary<object, object?> or Undefined or JinjaNamespace;
            case "sequence": return value is string or List<object?> or object?[] or Dictionary<object, object?>;
            case "boolean": return value is bool;
            case "true": return value is true;
            case "false": return value is false;
            case "eq" or "equalto" or "==": return PyOps.Equal(value, Arg(0));
            case "ne" or "!=": return !PyOps.Equal(value, Arg(0));
            case "lt" or "lessthan" or "<": return PyOps.Compare(value, Arg(0), "<") < 0;
            case "gt" or "greaterthan" or ">": return PyOps.Compare(value, Arg(0), ">") > 0;
            case "le" or "<=": return PyOps.Compare(value, Arg(0), "<=") <= 0;
            case "ge" or ">=": return PyOps.Compare(value, Arg(0), ">=") >= 0;
            case "sameas":
                var other = Arg(0);
                return value is null || other is null || value is bool || other is bool
                    ? Equals(value, other) && value?.GetType() == other?.GetType()
                    : ReferenceEquals(value, other) || (value is long a && other is long b && a == b && a is >= -5 and <= 256);
            case "in": return PyOps.Contains(Arg(0), value);
            case "odd": return Integer(value, name) % 2 != 0;
            case "even": return Integer(value, name) % 2 == 0;
            case "divisibleby":
                long d = Integer(Arg(0), name);
                if (d == 0) throw new PyError("integer division or modulo by zero");
                return Integer(value, name) % d == 0;
            case "callable": return value is PyCallable;
            case "lower": return value is string s && PyOps.Truthy(s) && s == s.ToLowerInvariant();
            case "upper": return value is string u && PyOps.Truthy(u) && u == u.ToUpperInvariant();
            case "escaped": return false;
            case "filter": return value is string f && BuiltinFilters.Exists(f);
            case "test": return value is string t && Exists(t);
            default: throw new PyError($"No test named '{name}'.");
        }
    }

    static long Integer(object? v, string test) => v switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        double d when d == Math.Floor(d) => (long)d,
        Undefined u => throw u.Fail(),
        _ => throw new PyError($"test '{test}' needs an integer, got {PyOps.TypeName(v)}"),
    };
}
