using System.Globalization;
using System.Text;

namespace Prem.Llm.Text.Templates;

/// <summary>
/// jinja2's built-in filters as chat templates use them, plus transformers' <c>tojson</c>
/// (<c>json.dumps(x, ensure_ascii=False, indent, separators, sort_keys)</c>). Strings are made with
/// Python's <c>str()</c>; an undefined value prints as "" where jinja2's do.
/// </summary>
internal static class BuiltinFilters
{
    static readonly string[] _names =
    [
        "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape", "first", "float",
        "forceescape", "format", "indent", "int", "items", "join", "last", "length", "list", "lower", "map", "max", "min",
        "reject", "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr", "sort", "string", "sum",
        "title", "tojson", "trim", "truncate", "unique", "upper", "wordcount",
    ];

    public static bool Exists(string name) => Array.IndexOf(_names, name) >= 0;

    public static object? Apply(Interpreter it, string name, object? value, List<object?> args, Dictionary<string, object?>? kwargs)
    {
        object? Arg(string key, int position, object? fallback)
        {
            if (kwargs is not null && kwargs.TryGetValue(key, out var v)) return v;
            return position < args.Count ? args[position] : fallback;
        }

        switch (name)
        {
            case "abs":
                return value switch
                {
                    long l => (object)Math.Abs(l),
                    double d => (object)Math.Abs(d),
                    bool b => (object)(b ? 1L : 0L),
                    Undefined u => throw u.Fail(),
                    _ => throw new PyError($"bad operand type for abs(): '{PyOps.TypeName(value)}'"),
                };
            case "attr":
                return Interpreter.GetAttr(value, Arg("name", 0, null) as string ?? throw new PyError("attr filter needs a string"));
            case "batch":
                long size = Integer(Arg("linecount", 0, null), name);
                if (size <= 0) throw new PyError("batch size must be positive");
                var fill = Arg("fill_with", 1, null);
                bool doFill = kwargs?.ContainsKey("fill_with") == true || args.Count > 1;
                var batches = new List<object?>();
                List<object?>? current = null;
                foreach (var item in PyOps.Iterate(value))
                {
                    current ??= [];
                    current.Add(item);
                    if (current.Count == size) { batches.Add(current); current = null; }
                }
                if (current is not null)
                {
                    if (doFill) while (current.Count < size) current.Add(fill);
                    batches.Add(current);
                }
                return batches;
            case "capitalize":
                string cap = PyOps.Str(value);
                return cap.Length == 0 ? cap : char.ToUpperInvariant(cap[0]) + cap[1..].ToLowerInvariant();
            case "center":
                string centered = PyOps.Str(value);
                long width = Integer(Arg("width", 0, 80L), name);
                if (width <= centered.Length) return centered;
                it.Limits.CheckLength(width);
                int total = (int)width - centered.Length;
                int left = total / 2 + (total & (int)width & 1);
                return new string(' ', left) + centered + new string(' ', total - left);
            case "count":
            case "length":
                return (long)PyOps.Length(value);
            case "d":
            case "default":
                var fallback = Arg("default_value", 0, "");
                bool boolean = PyOps.Truthy(Arg("boolean", 1, false));
                return value is Undefined || (boolean && !PyOps.Truthy(value)) ? fallback : value;
            case "dictsort":
                if (value is not Dictionary<object, object?> dict) throw new PyError("You can only sort by either a mapping");
                bool dictCase = PyOps.Truthy(Arg("case_sensitive", 0, false));
                string by = Arg("by", 1, "key") as string ?? "key";
                bool dictReverse = PyOps.Truthy(Arg("reverse", 2, false));
                var pairs = dict.Select(p => (object?)new object?[] { p.Key, p.Value }).ToList();
                int pos = by == "key" ? 0 : by == "value" ? 1 : throw new PyError("You can only sort by either \"key\" or \"value\"");
                return SortBy(pairs, x => CaseKey(((object?[])x!)[pos], dictCase), dictReverse);
            case "e":
            case "escape":
            case "forceescape":
                return PyOps.Str(value).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&#34;").Replace("'", "&#39;");
            case "first":
                foreach (var item in PyOps.Iterate(value)) return item;
                return new Undefined("No first item, sequence was empty.");
            case "last":
                var all = PyOps.ToList(value is string ? PyOps.ToList(value) : value);
                return all.Count > 0 ? all[^1] : new Undefined("No last item, sequence was empty.");
            case "float":
                return value switch
                {
                    double d => d,
                    long l => (double)l,
                    bool b => b ? 1.0 : 0.0,
                    string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => parsed,
                    Undefined u => throw u.Fail(),
                    _ => Arg("default", 0, 0.0),
                };
            case "int":
                return ToInt(value, Arg("default", 0, 0L), Integer(Arg("base", 1, 10L), name));
            case "format":
                return PyOps.Binary("%", PyOps.Str(value), args.ToArray(), it.Limits);
            case "indent":
                return Indent(PyOps.Str(value), Arg("width", 0, 4L), PyOps.Truthy(Arg("first", 1, false)), PyOps.Truthy(Arg("blank", 2, false)), it.Limits);
            case "items":
                if (value is Undefined) return new List<object?>();
                if (value is not Dictionary<object, object?> map) throw new PyError("Can only get item pairs from a mapping.");
                return map.Select(p => (object?)new object?[] { p.Key, p.Value }).ToList();
            case "join":
                string separator = PyOps.Str(Arg("d", 0, ""));
                var joinAttr = Arg("attribute", 1, null);
                var parts = PyOps.Iterate(value).Select(x => PyOps.Str(joinAttr is null ? x : Attribute(x, joinAttr))).ToList();
                PyOps.CheckLength(parts.Sum(p => (double)p.Length) + (double)separator.Length * parts.Count);
                return string.Join(separator, parts);
            case "list":
                return new List<object?>(PyOps.Iterate(value));
            case "lower":
                return PyOps.Str(value).ToLowerInvariant();
            case "upper":
                return PyOps.Str(value).ToUpperInvariant();
            case "title":
                return Title(PyOps.Str(value));
            case "trim":
                return PyText.Strip(PyOps.Str(value), Arg("chars", 0, null) as string);
            case "map":
                return Map(it, value, args, kwargs);
            case "max":
            case "min":
                bool mmCase = PyOps.Truthy(Arg("case_sensitive", 0, false));
                var mmAttr = Arg("attribute", 1, null);
                var candidates = PyOps.ToList(value);
                if (candidates.Count == 0) return new Undefined($"No aggregated item, sequence was empty.");
                object? best = candidates[0];
                foreach (var c in candidates.Skip(1))
                {
                    int cmp = PyOps.Compare(CaseKey(mmAttr is null ? c : Attribute(c, mmAttr), mmCase), CaseKey(mmAttr is null ? best : Attribute(best, mmAttr), mmCase), "<");
                    if (name == "max" ? cmp > 0 : cmp < 0) best = c;
                }
                return best;
            case "select":
            case "reject":
                return Select(it, value, args, kwargs, attribute: null, keep: name == "select");
            case "selectattr":
            case "rejectattr":
                if (args.Count == 0 || args[0] is not string attrName) throw new PyError($"{name} needs an attribute name");
                return Select(it, value, args.Skip(1).ToList(), kwargs, attrName, keep: name == "selectattr");
            case "replace":
                var count = Arg("count", 2, null);
                return it.Limits.CheckString(PyMethods.Replace(PyOps.Str(value), PyOps.Str(Arg("old", 0, "")), PyOps.Str(Arg("new", 1, "")), count is null ? -1 : Integer(count, name)));
            case "reverse":
                if (value is string rs)
                {
                    var chars = PyOps.Iterate(rs).Select(x => (string)x!).ToList();
                    chars.Reverse();
                    return string.Concat(chars);
                }
                var reversed = PyOps.ToList(value).ToList();
                reversed.Reverse();
                return reversed;
            case "round":
                long precision = Integer(Arg("precision", 0, 0L), name);
                string method = Arg("method", 1, "common") as string ?? "common";
                double x = value switch { long l => l, double d => d, bool b => b ? 1 : 0, _ => throw new PyError($"round needs a number, got {PyOps.TypeName(value)}") };
                double scale = Math.Pow(10, precision);
                return method switch
                {
                    "common" => Math.Round(x, (int)Math.Clamp(precision, 0, 15), MidpointRounding.ToEven),
                    "ceil" => Math.Ceiling(x * scale) / scale,
                    "floor" => Math.Floor(x * scale) / scale,
                    _ => throw new PyError("method must be common, ceil or floor"),
                };
            case "safe":
            case "string":
                return PyOps.Str(value);
            case "sort":
                bool reverse = PyOps.Truthy(Arg("reverse", 0, false));
                bool sortCase = PyOps.Truthy(Arg("case_sensitive", 1, false));
                var sortAttr = Arg("attribute", 2, null);
                return SortBy(PyOps.ToList(value).ToList(), v => CaseKey(sortAttr is null ? v : Attribute(v, sortAttr), sortCase), reverse);
            case "sum":
                var sumAttr = Arg("attribute", 0, null);
                object? sum = Arg("start", 1, 0L);
                foreach (var item in PyOps.Iterate(value)) sum = PyOps.Binary("+", sum, sumAttr is null ? item : Attribute(item, sumAttr), it.Limits);
                return sum;
            case "tojson":
                return ToJson(value, Arg("ensure_ascii", 0, false), Arg("indent", 1, null), Arg("separators", 2, null), PyOps.Truthy(Arg("sort_keys", 3, false)));
            case "truncate":
                string text = PyOps.Str(value);
                long length = Integer(Arg("length", 0, 255L), name);
                bool killWords = PyOps.Truthy(Arg("killwords", 1, false));
                string end = PyOps.Str(Arg("end", 2, "..."));
                long leeway = Integer(Arg("leeway", 3, 5L), name);
                if (length < end.Length) throw new PyError($"expected length >= {end.Length}, got {length}");
                if (text.Length <= length + leeway) return text;
                if (killWords) return text[..(int)(length - end.Length)] + end;
                string cut = text[..(int)(length - end.Length)];
                int space = cut.LastIndexOf(' ');
                return (space >= 0 ? cut[..space] : cut) + end;
            case "unique":
                bool uniqueCase = PyOps.Truthy(Arg("case_sensitive", 0, false));
                var uniqueAttr = Arg("attribute", 1, null);
                var seen = new List<object?>();
                var unique = new List<object?>();
                foreach (var item in PyOps.Iterate(value))
                {
                    var key = CaseKey(uniqueAttr is null ? item : Attribute(item, uniqueAttr), uniqueCase);
                    if (seen.Any(s => PyOps.Equal(s, key))) continue;
                    seen.Add(key);
                    unique.Add(item);
                }
                return unique;
            case "wordcount":
                return WordCount(PyOps.Str(value));
            default:
                throw new PyError($"No filter named '{name}'.");
        }
    }

    // jinja2's title: split on runs of [-\s({[<] (kept), upper-case each piece's first character, lower-case the rest.
    // Written out rather than as a generated regex, whose tables would put control characters in the assembly's literals.
    static string Title(string s)
    {
        static bool IsBreak(char c) => c is '-' or '(' or '{' or '[' or '<' || PyText.IsSpace(c);
        var sb = new StringBuilder(s.Length);
        int i = 0;
        while (i < s.Length)
        {
            int j = i;
            bool breaks = IsBreak(s[i]);
            while (j < s.Length && IsBreak(s[j]) == breaks) j++;
            sb.Append(char.ToUpperInvariant(s[i])).Append(s[(i + 1)..j].ToLowerInvariant());
            i = j;
        }
        return sb.ToString();
    }

    // Python's re \w+ (letters, digits, marks, underscore) counted as runs.
    static long WordCount(string s)
    {
        long n = 0;
        bool inWord = false;
        foreach (char c in s)
        {
            bool word = char.IsLetterOrDigit(c) || c == '_' || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark;
            if (word && !inWord) n++;
            inWord = word;
        }
        return n;
    }

    static long Integer(object? v, string filter) => v switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        Undefined u => throw u.Fail(),
        _ => throw new PyError($"filter '{filter}' needs an integer, got {PyOps.TypeName(v)}"),
    };

    static object? ToInt(object? value, object? fallback, long numberBase)
    {
        switch (value)
        {
            case long l: return l;
            case bool b: return b ? 1L : 0L;
            case double d: return double.IsFinite(d) && Math.Abs(d) < 9.2e18 ? (long)Math.Truncate(d) : fallback;
            case Undefined u: throw u.Fail();
            case string s:
                string t = PyText.Strip(s, null).Replace("_", "");
                try
                {
                    if (numberBase == 10 && long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed)) return parsed;
                    if (numberBase is 2 or 8 or 16) return Convert.ToInt64(t, (int)numberBase);
                }
                catch (Exception e) when (e is FormatException or ArgumentException or OverflowException) { }
                if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double f) && double.IsFinite(f) && Math.Abs(f) < 9.2e18) return (long)Math.Truncate(f);
                return fallback;
            default: return fallback;
        }
    }

    static string Indent(string s, object? width, bool first, bool blank, TemplateLimits limits)
    {
        string indentation = width switch
        {
            string w => w,
            long n => new string(' ', (int)Math.Clamp(n, 0, limits.MaxOutputLength)),
            bool b => b ? " " : "",
            _ => throw new PyError("indent width must be an integer or a string"),
        };
        var lines = PyMethods.SplitLines(s + "\n");
        PyOps.CheckLength(s.Length + (double)lines.Count * indentation.Length);
        string rv;
        if (blank) rv = string.Join("\n" + indentation, lines.Select(l => (string)l!));
        else
        {
            rv = (string)lines[0]!;
            if (lines.Count > 1) rv += "\n" + string.Join("\n", lines.Skip(1).Select(l => (string)l! is { Length: > 0 } line ? indentation + line : ""));
        }
        if (first) rv = indentation + rv;
        return limits.CheckString(rv);
    }

    static object? Attribute(object? item, object? attribute)
    {
        // Jinja allows "a.b" and integer parts in attribute paths.
        object? current = item;
        foreach (string part in PyOps.Str(attribute).Split('.'))
            current = long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out long index) ? Interpreter.GetItem(current, index) : Interpreter.GetItem(current, part);
        return current;
    }

    static object? CaseKey(object? v, bool caseSensitive) => !caseSensitive && v is string s ? s.ToLowerInvariant() : v;

    static List<object?> SortBy(List<object?> items, Func<object?, object?> key, bool reverse)
    {
        var keyed = items.Select((v, i) => (Key: key(v), Index: i, Value: v)).ToList();
        keyed.Sort((a, b) =>
        {
            int c = PyOps.Compare(a.Key, b.Key, "<");
            if (reverse) c = -c;
            return c != 0 ? c : a.Index.CompareTo(b.Index);
        });
        return keyed.Select(k => k.Value).ToList();
    }

    static object? Map(Interpreter it, object? value, List<object?> args, Dictionary<string, object?>? kwargs)
    {
        var result = new List<object?>();
        if (args.Count == 0 && kwargs is not null && kwargs.TryGetValue("attribute", out var attribute))
        {
            kwargs.TryGetValue("default", out var fallback);
            bool hasDefault = kwargs.ContainsKey("default");
            foreach (var item in PyOps.Iterate(value))
            {
                var v = Attribute(item, attribute);
                result.Add(v is Undefined && hasDefault ? fallback : v);
            }
            return result;
        }
        if (args.Count == 0 || args[0] is not string filter) throw new PyError("map requires a filter argument");
        var rest = args.Skip(1).ToList();
        foreach (var item in PyOps.Iterate(value)) result.Add(Apply(it, filter, item, rest, kwargs));
        return result;
    }

    static object? Select(Interpreter it, object? value, List<object?> args, Dictionary<string, object?>? kwargs, string? attribute, bool keep)
    {
        var result = new List<object?>();
        string? test = args.Count > 0 ? args[0] as string ?? throw new PyError("the test name must be a string") : null;
        var rest = args.Skip(1).ToList();
        foreach (var item in PyOps.Iterate(value))
        {
            var subject = attribute is null ? item : Attribute(item, attribute);
            bool passed = test is null ? PyOps.Truthy(subject) : BuiltinTests.Apply(it, test, subject, rest, kwargs);
            if (passed == keep) result.Add(item);
        }
        return result;
    }

    static string ToJson(object? value, object? ensureAscii, object? indent, object? separators, bool sortKeys)
    {
        if (PyOps.Truthy(ensureAscii)) throw new PyError("tojson: ensure_ascii=True is not supported (transformers passes False)");
        string? indentText = indent switch
        {
            null => null,
            long n => new string(' ', (int)Math.Clamp(n, 0, 1000)),
            string s => s,
            _ => throw new PyError("tojson: indent must be an integer or a string"),
        };
        string item = indentText is null ? ", " : ",", key = ": ";
        if (separators is not null)
        {
            var parts = PyOps.ToList(separators);
            if (parts.Count != 2 || parts[0] is not string a || parts[1] is not string b) throw new PyError("tojson: separators must be a pair of strings");
            (item, key) = (a, b);
        }
        return JsonDumps.Dumps(value, indentText, item, key, sortKeys);
    }
}
