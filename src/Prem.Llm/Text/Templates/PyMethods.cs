using System.Globalization;
using System.Text;

namespace Prem.Llm.Text.Templates;

/// <summary>
/// The Python methods templates call on values: <c>str</c> (startswith, split, strip, replace, format, …),
/// <c>dict</c> (get, items, keys, values) and <c>list</c>/<c>tuple</c> (index, count). Like transformers'
/// <c>ImmutableSandboxedEnvironment</c>, nothing that mutates (append, pop, update, …) exists.
/// </summary>
internal static class PyMethods
{
    public static PyCallable? Bind(object? target, string name)
    {
        switch (target)
        {
            case string s when IsStringMethod(name):
                return new BuiltinFunction(name, (_, args, kwargs) => CallString(s, name, args, kwargs));
            case Dictionary<object, object?> d when name is "get" or "items" or "keys" or "values":
                return new BuiltinFunction(name, (_, args, _) => CallDict(d, name, args));
            case List<object?> or object?[] when name is "index" or "count":
                var items = (IReadOnlyList<object?>)target;
                return new BuiltinFunction(name, (_, args, _) =>
                {
                    Arity(name, args, 1, 1);
                    if (name == "count") return (long)items.Count(x => PyOps.Equal(x, args[0]));
                    for (int i = 0; i < items.Count; i++) if (PyOps.Equal(items[i], args[0])) return (long)i;
                    throw new PyError($"{PyOps.Repr(args[0])} is not in list");
                });
            default:
                return null;
        }
    }

    static bool IsStringMethod(string name) => name is "startswith" or "endswith" or "split" or "rsplit" or "strip" or "lstrip" or "rstrip"
        or "replace" or "upper" or "lower" or "title" or "capitalize" or "format" or "join" or "find" or "rfind" or "count"
        or "isdigit" or "isalpha" or "isalnum" or "isspace" or "isupper" or "islower" or "splitlines" or "removeprefix" or "removesuffix"
        or "casefold" or "swapcase" or "index" or "rindex";

    static void Arity(string name, List<object?> args, int min, int max)
    {
        if (args.Count < min || args.Count > max)
            throw new PyError($"{name}() takes {(min == max ? $"exactly {min}" : $"from {min} to {max}")} argument(s) ({args.Count} given)");
    }

    static string StrArg(object? v, string method) => v as string ?? throw new PyError($"{method}() argument must be str, not {PyOps.TypeName(v)}");

    static string? OptStr(List<object?> args, int i, string method) => i < args.Count && args[i] is not null ? StrArg(args[i], method) : null;

    static long IntArg(object? v, string method) => v switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new PyError($"{method}() argument must be int, not {PyOps.TypeName(v)}"),
    };

    static object? Kw(Dictionary<string, object?>? kwargs, string name, List<object?> args, int position, object? fallback)
    {
        if (kwargs is not null && kwargs.TryGetValue(name, out var v)) return v;
        return position < args.Count ? args[position] : fallback;
    }

    static object? CallString(string s, string name, List<object?> args, Dictionary<string, object?>? kwargs)
    {
        switch (name)
        {
            case "startswith":
            case "endswith":
                Arity(name, args, 1, 3);
                string sub = s;
                if (args.Count > 1) sub = (string)PyOps.Slice(s, args[1], args.Count > 2 ? args[2] : null, null)!;
                var candidates = args[0] is object?[] t ? t : [args[0]];
                foreach (var c in candidates)
                {
                    string p = c as string ?? throw new PyError($"{name} first arg must be str or a tuple of str, not {PyOps.TypeName(c)}");
                    if (name == "startswith" ? sub.StartsWith(p, StringComparison.Ordinal) : sub.EndsWith(p, StringComparison.Ordinal)) return true;
                }
                return false;
            case "split":
            case "rsplit":
                var sep = Kw(kwargs, "sep", args, 0, null);
                long max = IntArg(Kw(kwargs, "maxsplit", args, 1, -1L), name);
                return Split(s, sep is null ? null : StrArg(sep, name), max, name == "rsplit");
            case "strip": Arity(name, args, 0, 1); return PyText.Strip(s, OptStr(args, 0, name));
            case "lstrip": Arity(name, args, 0, 1); return PyText.Strip(s, OptStr(args, 0, name), right: false);
            case "rstrip": Arity(name, args, 0, 1); return PyText.Strip(s, OptStr(args, 0, name), left: false);
            case "replace":
                Arity(name, args, 2, 3);
                return Replace(s, StrArg(args[0], name), StrArg(args[1], name), args.Count > 2 ? IntArg(args[2], name) : -1);
            case "upper": return s.ToUpperInvariant();
            case "lower": return s.ToLowerInvariant();
            case "casefold": return s.ToLowerInvariant();
            case "swapcase": return string.Concat(s.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)));
            case "title": return Title(s);
            case "capitalize": return s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
            case "format": return Format(s, args, kwargs);
            case "join":
                Arity(name, args, 1, 1);
                var pieces = PyOps.Iterate(args[0]).Select(x => x as string ?? throw new PyError($"sequence item: expected str instance, {PyOps.TypeName(x)} found")).ToList();
                PyOps.CheckLength(pieces.Sum(p => (double)p.Length) + (double)s.Length * pieces.Count);
                return string.Join(s, pieces);
            case "find":
            case "rfind":
            case "index":
            case "rindex":
                Arity(name, args, 1, 1);
                int at = name is "find" or "index" ? s.IndexOf(StrArg(args[0], name), StringComparison.Ordinal) : s.LastIndexOf(StrArg(args[0], name), StringComparison.Ordinal);
                if (at < 0 && name is "index" or "rindex") throw new PyError("substring not found");
                return (long)at;
            case "count":
                Arity(name, args, 1, 1);
                string needle = StrArg(args[0], name);
                if (needle.Length == 0) return (long)s.Length + 1;
                long n = 0;
                for (int i = s.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = s.IndexOf(needle, i + needle.Length, StringComparison.Ordinal)) n++;
                return n;
            case "isdigit": return s.Length > 0 && s.All(char.IsDigit);
            case "isalpha": return s.Length > 0 && s.All(char.IsLetter);
            case "isalnum": return s.Length > 0 && s.All(char.IsLetterOrDigit);
            case "isspace": return s.Length > 0 && s.All(PyText.IsSpace);
            case "isupper": return s.Any(char.IsLetter) && !s.Any(char.IsLower);
            case "islower": return s.Any(char.IsLetter) && !s.Any(char.IsUpper);
            case "splitlines": return SplitLines(s);
            case "removeprefix": Arity(name, args, 1, 1); return s.StartsWith(StrArg(args[0], name), StringComparison.Ordinal) ? s[((string)args[0]!).Length..] : s;
            case "removesuffix": Arity(name, args, 1, 1); return s.EndsWith(StrArg(args[0], name), StringComparison.Ordinal) && ((string)args[0]!).Length > 0 ? s[..^((string)args[0]!).Length] : s;
        }
        throw new PyError($"'str' object has no attribute '{name}'");
    }

    static object? CallDict(Dictionary<object, object?> d, string name, List<object?> args)
    {
        switch (name)
        {
            case "get":
                Arity(name, args, 1, 2);
                return args[0] is not null && PyOps.IsHashable(args[0]) && d.TryGetValue(args[0]!, out var v) ? v : args.Count > 1 ? args[1] : null;
            case "items":
                Arity(name, args, 0, 0);
                return d.Select(p => (object?)new object?[] { p.Key, p.Value }).ToList();
            case "keys":
                Arity(name, args, 0, 0);
                return d.Keys.Select(k => (object?)k).ToList();
            default:
                Arity(name, args, 0, 0);
                return d.Values.ToList();
        }
    }

    /// <summary>Python's <c>str.splitlines()</c>.</summary>
    public static List<object?> SplitLines(string s)
    {
        var lines = new List<object?>();
        int start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] is not ('\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')) continue;
            lines.Add(s[start..i]);
            if (s[i] == '\r' && i + 1 < s.Length && s[i + 1] == '\n') i++;
            start = i + 1;
        }
        if (start < s.Length) lines.Add(s[start..]);
        return lines;
    }

    /// <summary>Python's <c>str.split</c>/<c>rsplit</c>: no separator splits on whitespace runs and drops empty ends.</summary>
    public static List<object?> Split(string s, string? sep, long maxSplit, bool fromRight)
    {
        var parts = new List<object?>();
        if (sep is not null)
        {
            if (sep.Length == 0) throw new PyError("empty separator");
            if (!fromRight)
            {
                int start = 0;
                while (maxSplit < 0 || parts.Count < maxSplit)
                {
                    int i = s.IndexOf(sep, start, StringComparison.Ordinal);
                    if (i < 0) break;
                    parts.Add(s[start..i]);
                    start = i + sep.Length;
                }
                parts.Add(s[start..]);
                return parts;
            }
            int end = s.Length;
            while (maxSplit < 0 || parts.Count < maxSplit)
            {
                int i = end - sep.Length < 0 ? -1 : s.LastIndexOf(sep, end - 1, end, StringComparison.Ordinal);
                if (i < 0) break;
                parts.Add(s[(i + sep.Length)..end]);
                end = i;
            }
            parts.Add(s[..end]);
            parts.Reverse();
            return parts;
        }
        if (!fromRight)
        {
            int i = 0;
            while (true)
            {
                while (i < s.Length && PyText.IsSpace(s[i])) i++;
                if (i >= s.Length) break;
                if (maxSplit >= 0 && parts.Count >= maxSplit)
                {
                    parts.Add(s[i..]);
                    break;
                }
                int j = i;
                while (j < s.Length && !PyText.IsSpace(s[j])) j++;
                parts.Add(s[i..j]);
                i = j;
            }
            return parts;
        }
        int k = s.Length;
        while (true)
        {
            while (k > 0 && PyText.IsSpace(s[k - 1])) k--;
            if (k <= 0) break;
            if (maxSplit >= 0 && parts.Count >= maxSplit)
            {
                parts.Add(s[..k]);
                break;
            }
            int j = k;
            while (j > 0 && !PyText.IsSpace(s[j - 1])) j--;
            parts.Add(s[j..k]);
            k = j;
        }
        parts.Reverse();
        return parts;
    }

    public static string Replace(string s, string old, string replacement, long count)
    {
        if (replacement.Length > old.Length)
        {
            double occurrences = old.Length == 0 ? s.Length + 1 : (s.Length / old.Length) + 1;
            if (count >= 0) occurrences = Math.Min(occurrences, count);
            if (s.Length + occurrences * (replacement.Length - old.Length) > PyOps.MaxLength)
            {
                // Only an estimate above: count exactly before refusing.
                double exact = old.Length == 0 ? s.Length + 1 : CountOccurrences(s, old);
                if (count >= 0) exact = Math.Min(exact, count);
                PyOps.CheckLength(s.Length + exact * (replacement.Length - old.Length));
            }
        }
        if (count < 0) return old.Length == 0 ? InsertEverywhere(s, replacement, long.MaxValue) : s.Replace(old, replacement, StringComparison.Ordinal);
        if (old.Length == 0) return InsertEverywhere(s, replacement, count);
        var sb = new StringBuilder();
        int start = 0;
        for (long n = 0; n < count; n++)
        {
            int i = s.IndexOf(old, start, StringComparison.Ordinal);
            if (i < 0) break;
            sb.Append(s, start, i - start).Append(replacement);
            start = i + old.Length;
        }
        return sb.Append(s, start, s.Length - start).ToString();
    }

    static double CountOccurrences(string s, string old)
    {
        double n = 0;
        for (int i = s.IndexOf(old, StringComparison.Ordinal); i >= 0; i = s.IndexOf(old, i + old.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    // Python: "ab".replace("", "-") == "-a-b-".
    static string InsertEverywhere(string s, string insert, long count)
    {
        var sb = new StringBuilder();
        long n = 0;
        for (int i = 0; i <= s.Length; i++)
        {
            if (n++ < count) sb.Append(insert);
            if (i < s.Length) sb.Append(s[i]);
        }
        return sb.ToString();
    }

    /// <summary>Python's <c>str.title()</c>: a cased letter after an uncased character is upper-cased, others lower-cased.</summary>
    public static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool previousCased = false;
        foreach (char c in s)
        {
            bool cased = char.IsUpper(c) || char.IsLower(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter;
            sb.Append(!cased ? c : previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousCased = cased;
        }
        return sb.ToString();
    }

    // str.format with "{}", "{0}", "{name}", "{{", "}}" and the "!s"/"!r" conversions; format specs are not supported.
    static string Format(string s, List<object?> args, Dictionary<string, object?>? kwargs)
    {
        var sb = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '}')
            {
                if (i + 1 < s.Length && s[i + 1] == '}') { sb.Append('}'); i++; continue; }
                throw new PyError("Single '}' encountered in format string");
            }
            if (c != '{') { sb.Append(c); continue; }
            if (i + 1 < s.Length && s[i + 1] == '{') { sb.Append('{'); i++; continue; }
            int end = s.IndexOf('}', i);
            if (end < 0) throw new PyError("Single '{' encountered in format string");
            string field = s[(i + 1)..end];
            string conversion = "s";
            int bang = field.IndexOf('!');
            if (bang >= 0) { conversion = field[(bang + 1)..]; field = field[..bang]; }
            if (field.Contains(':')) throw new PyError("format specifications are not supported by this engine");
            object? value;
            if (field.Length == 0) value = auto < args.Count ? args[auto++] : throw new PyError("Replacement index out of range for positional args tuple");
            else if (int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out int index)) value = index < args.Count ? args[index] : throw new PyError("Replacement index out of range for positional args tuple");
            else value = kwargs is not null && kwargs.TryGetValue(field, out var v) ? v : throw new PyError($"KeyError: '{field}'");
            sb.Append(conversion == "r" ? PyOps.Repr(value) : PyOps.Str(value));
            i = end;
        }
        return sb.ToString();
    }
}
