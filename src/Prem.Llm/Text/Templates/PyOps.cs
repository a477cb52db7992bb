using System.Globalization;
using System.Text;

namespace Prem.Llm.Text.Templates;

/// <summary>
/// Python semantics of template values: truth, equality, ordering, arithmetic, <c>str()</c>,
/// <c>repr()</c>, iteration, length, indexing and slicing. Values are null (None), bool, long, double,
/// string, <see cref="List{T}"/> (list), <c>object?[]</c> (tuple), <see cref="Dictionary{TKey,TValue}"/>
/// with <see cref="PyKeyComparer"/> (dict), <see cref="Undefined"/>, <see cref="JinjaNamespace"/>,
/// <see cref="LoopContext"/> and <see cref="PyCallable"/>. Strings index by code point, as in Python.
/// </summary>
internal static class PyOps
{
    [ThreadStatic]
    static int _maxLength;

    /// <summary>The longest string the current render may build (set from <see cref="TemplateLimits"/> by the interpreter).</summary>
    public static int MaxLength
    {
        get => _maxLength == 0 ? new TemplateLimits().MaxOutputLength : _maxLength;
        set => _maxLength = value;
    }

    /// <summary>Fails before building a string or list longer than <see cref="MaxLength"/>.</summary>
    public static void CheckLength(double length)
    {
        if (length > MaxLength) throw new PyError($"value longer than the limit of {MaxLength} (TemplateLimits.MaxOutputLength)");
    }

    public static string TypeName(object? v) => v switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        object?[] => "tuple",
        Dictionary<object, object?> => "dict",
        Undefined => "Undefined",
        JinjaNamespace => "Namespace",
        LoopContext => "LoopContext",
        Macro => "Macro",
        PyCallable => "builtin_function_or_method",
        _ => v.GetType().Name,
    };

    public static Dictionary<object, object?> NewDict() => new(PyKeyComparer.Instance);

    public static bool Truthy(object? v) => v switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> l => l.Count > 0,
        object?[] t => t.Length > 0,
        Dictionary<object, object?> d => d.Count > 0,
        Undefined => false,
        _ => true,
    };

    public static bool IsNumber(object? v) => v is long or double or bool;

    static double AsDouble(object? v) => v switch { long l => l, double d => d, bool b => b ? 1 : 0, _ => throw new InvalidOperationException() };

    static long AsLong(object? v) => v switch { long l => l, bool b => b ? 1 : 0, _ => throw new InvalidOperationException() };

    public static bool Equal(object? a, object? b)
    {
        if (a is Undefined || b is Undefined) return a is Undefined && b is Undefined;
        if (a is null || b is null) return a is null && b is null;
        if (IsNumber(a) && IsNumber(b))
            return a is double || b is double ? AsDouble(a) == AsDouble(b) : AsLong(a) == AsLong(b);
        switch (a)
        {
            case string s: return b is string t && string.Equals(s, t, StringComparison.Ordinal);
            case List<object?> l: return b is List<object?> m && SequenceEqual(l, m);
            case object?[] t1: return b is object?[] t2 && SequenceEqual(t1, t2);
            case Dictionary<object, object?> d:
                if (b is not Dictionary<object, object?> e || d.Count != e.Count) return false;
                foreach (var (k, v) in d) if (!e.TryGetValue(k, out var w) || !Equal(v, w)) return false;
                return true;
            default: return ReferenceEquals(a, b);
        }
    }

    static bool SequenceEqual(IReadOnlyList<object?> a, IReadOnlyList<object?> b)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++) if (!Equal(a[i], b[i])) return false;
        return true;
    }

    /// <summary>Python ordering (<c>&lt;</c> and friends): numbers, strings, lists and tuples of comparable items.</summary>
    public static int Compare(object? a, object? b, string op)
    {
        if (a is Undefined u) throw u.Fail();
        if (b is Undefined w) throw w.Fail();
        if (IsNumber(a) && IsNumber(b))
            return a is double || b is double ? AsDouble(a).CompareTo(AsDouble(b)) : AsLong(a).CompareTo(AsLong(b));
        if (a is string s && b is string t) return CompareCodePoints(s, t);
        if ((a is List<object?> && b is List<object?>) || (a is object?[] && b is object?[]))
        {
            var x = (IReadOnlyList<object?>)a;
            var y = (IReadOnlyList<object?>)b;
            for (int i = 0; i < Math.Min(x.Count, y.Count); i++)
                if (!Equal(x[i], y[i])) return Compare(x[i], y[i], op);
            return x.Count.CompareTo(y.Count);
        }
        throw new PyError($"'{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
    }

    // Python compares strings by code point; UTF-16 ordinal order differs only around surrogates.
    static int CompareCodePoints(string a, string b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            char x = a[i], y = b[i];
            if (x == y) continue;
            bool sx = char.IsSurrogate(x), sy = char.IsSurrogate(y);
            if (sx == sy) return x.CompareTo(y);
            return sx ? (y >= '\uE000' ? -1 : 1) : (x >= '\uE000' ? 1 : -1);
        }
        return a.Length.CompareTo(b.Length);
    }

    public static bool Contains(object? container, object? item)
    {
        switch (container)
        {
            case string s:
                if (item is not string t) throw new PyError($"'in <string>' requires string as left operand, not {TypeName(item)}");
                return s.Contains(t, StringComparison.Ordinal);
            case Dictionary<object, object?> d: return item is not null && IsHashable(item) && d.ContainsKey(item);
            case JinjaNamespace ns: return item is string k && ns.Attributes.ContainsKey(k);
            case Undefined: return false;
            default:
                foreach (var x in Iterate(container)) if (Equal(x, item)) return true;
                return false;
        }
    }

    public static bool IsHashable(object? v) => v is null or bool or long or double or string or object?[];

    // Arithmetic -----------------------------------------------------------------------------------

    public static object? Binary(string op, object? a, object? b, TemplateLimits limits)
    {
        if (a is Undefined u) throw u.Fail();
        if (b is Undefined w) throw w.Fail();
        if (IsNumber(a) && IsNumber(b)) return Arithmetic(op, a, b);
        switch (op)
        {
            case "+":
                if (a is string s && b is string t) return limits.CheckString(string.Concat(s, t));
                if (a is List<object?> l && b is List<object?> m) return limits.CheckList(new List<object?>([.. l, .. m]));
                if (a is object?[] x && b is object?[] y) return limits.CheckList(x.Concat(y).ToArray());
                break;
            case "*":
                if (a is string || a is List<object?> || a is object?[]) return Repeat(a, b, limits);
                if (b is string || b is List<object?> || b is object?[]) return Repeat(b, a, limits);
                break;
            case "%":
                if (a is string fmt) return PercentFormat(fmt, b);
                break;
        }
        throw new PyError($"unsupported operand type(s) for {op}: '{TypeName(a)}' and '{TypeName(b)}'");
    }

    static object? Repeat(object? seq, object? count, TemplateLimits limits)
    {
        if (count is not (long or bool)) throw new PyError($"can't multiply sequence by non-int of type '{TypeName(count)}'");
        long n = Math.Max(0, AsLong(count));
        switch (seq)
        {
            case string s:
                limits.CheckLength((double)s.Length * n);
                return new StringBuilder(s.Length * (int)n).Insert(0, s, (int)n).ToString();
            case List<object?> l:
                limits.CheckLength((double)l.Count * n);
                var list = new List<object?>();
                for (long i = 0; i < n; i++) list.AddRange(l);
                return list;
            default:
                var t = (object?[])seq!;
                limits.CheckLength((double)t.Length * n);
                var items = new List<object?>();
                for (long i = 0; i < n; i++) items.AddRange(t);
                return items.ToArray();
        }
    }

    static object? Arithmetic(string op, object? a, object? b)
    {
        bool isFloat = a is double || b is double;
        if (op == "/")
        {
            double d = AsDouble(b);
            if (d == 0) throw new PyError("division by zero");
            return AsDouble(a) / d;
        }
        if (isFloat)
        {
            double x = AsDouble(a), y = AsDouble(b);
            switch (op)
            {
                case "+": return x + y;
                case "-": return x - y;
                case "*": return x * y;
                case "**": return Math.Pow(x, y);
                case "//":
                    if (y == 0) throw new PyError("float floor division by zero");
                    return Math.Floor(x / y);
                case "%":
                    if (y == 0) throw new PyError("float modulo");
                    double r = x % y;
                    return r != 0 && (r < 0) != (y < 0) ? r + y : r;
            }
        }
        else
        {
            long x = AsLong(a), y = AsLong(b);
            try
            {
                checked
                {
                    switch (op)
                    {
                        case "+": return x + y;
                        case "-": return x - y;
                        case "*": return x * y;
                        case "**":
                            if (y < 0) return Math.Pow(x, y);
                            if (x is 0 or 1) return y == 0 ? 1L : x;
                            if (x == -1) return y % 2 == 0 ? 1L : -1L;
                            long result = 1, power = x;
                            for (long e = y; e > 0; e >>= 1)
                            {
                                if ((e & 1) == 1) result *= power;
                                if (e > 1) power *= power;
                            }
                            return result;
                        case "//":
                            if (y == 0) throw new PyError("integer division or modulo by zero");
                            long q = x / y;
                            return (x % y != 0) && ((x < 0) != (y < 0)) ? q - 1 : q;
                        case "%":
                            if (y == 0) throw new PyError("integer division or modulo by zero");
                            long r = x % y;
                            return r != 0 && (r < 0) != (y < 0) ? r + y : r;
                    }
                }
            }
            catch (OverflowException)
            {
                throw new PyError("integer result out of range (Python's ints are unbounded; this engine stops at 64 bits)");
            }
        }
        throw new PyError($"unsupported operator {op}");
    }

    // Python's printf-style "%s"/"%d" formatting, the common subset.
    static string PercentFormat(string fmt, object? args)
    {
        var values = args is object?[] t ? t : [args];
        var sb = new StringBuilder();
        int k = 0;
        for (int i = 0; i < fmt.Length; i++)
        {
            if (fmt[i] != '%') { sb.Append(fmt[i]); continue; }
            if (++i >= fmt.Length) throw new PyError("incomplete format");
            char c = fmt[i];
            if (c == '%') { sb.Append('%'); continue; }
            if (k >= values.Length) throw new PyError("not enough arguments for format string");
            var v = values[k++];
            sb.Append(c switch
            {
                's' => Str(v),
                'r' => Repr(v),
                'd' or 'i' => Str(ToInt(v)),
                _ => throw new PyError($"unsupported format character '{c}'"),
            });
        }
        if (k < values.Length) throw new PyError("not all arguments converted during string formatting");
        return sb.ToString();
    }

    static long ToInt(object? v) => v switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        double d => (long)Math.Truncate(d),
        _ => throw new PyError($"%d format: a real number is required, not {TypeName(v)}"),
    };

    public static object? Negate(object? v, bool minus) => v switch
    {
        // Each arm is boxed on its own: a switch over long and double arms would otherwise widen longs to double.
        long l => (object)(minus ? -l : l),
        double d => (object)(minus ? -d : d),
        bool b => (object)(minus ? -(b ? 1L : 0L) : (b ? 1L : 0L)),
        Undefined u => throw u.Fail(),
        _ => throw new PyError($"bad operand type for unary {(minus ? "-" : "+")}: '{TypeName(v)}'"),
    };

    // str() and repr() -------------------------------------------------------------------------------

    public static string Str(object? v) => v switch
    {
        string s => s,
        Undefined => "",
        _ => Repr(v),
    };

    public static string Repr(object? v)
    {
        var sb = new StringBuilder();
        AppendRepr(sb, v, 0);
        return sb.ToString();
    }

    static void AppendRepr(StringBuilder sb, object? v, int depth)
    {
        if (depth > 100) throw new PyError("maximum recursion depth exceeded while getting the repr of an object");
        CheckLength(sb.Length);
        switch (v)
        {
            case null: sb.Append("None"); break;
            case bool b: sb.Append(b ? "True" : "False"); break;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: sb.Append(FloatRepr(d)); break;
            case string s: AppendStringRepr(sb, s); break;
            case List<object?> list:
                sb.Append('[');
                for (int i = 0; i < list.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    AppendRepr(sb, list[i], depth + 1);
                }
                sb.Append(']');
                break;
            case object?[] tuple:
                sb.Append('(');
                for (int i = 0; i < tuple.Length; i++)
                {
                    if (i > 0) sb.Append(", ");
                    AppendRepr(sb, tuple[i], depth + 1);
                }
                if (tuple.Length == 1) sb.Append(',');
                sb.Append(')');
                break;
            case Dictionary<object, object?> dict:
                sb.Append('{');
                bool first = true;
                foreach (var (k, x) in dict)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    AppendRepr(sb, k, depth + 1);
                    sb.Append(": ");
                    AppendRepr(sb, x, depth + 1);
                }
                sb.Append('}');
                break;
            case Undefined: break;
            case JinjaNamespace ns:
                sb.Append("<Namespace {");
                bool firstAttr = true;
                foreach (var (k, x) in ns.Attributes)
                {
                    if (!firstAttr) sb.Append(", ");
                    firstAttr = false;
                    AppendStringRepr(sb, k);
                    sb.Append(": ");
                    AppendRepr(sb, x, depth + 1);
                }
                sb.Append("}>");
                break;
            case Macro m: sb.Append("<Macro '").Append(m.Name).Append("'>"); break;
            case PyCallable c: sb.Append("<built-in function ").Append(c.Name).Append('>'); break;
            case LoopContext loop: sb.Append("<LoopContext ").Append(loop.Index).Append('/').Append(loop.Length).Append('>'); break;
            default: sb.Append('<').Append(TypeName(v)).Append('>'); break;
        }
    }

    static void AppendStringRepr(StringBuilder sb, string s)
    {
        char quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        sb.Append(quote);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == quote || c == '\\') sb.Append('\\').Append(c);
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                int cp = char.ConvertToUtf32(c, s[i + 1]);
                if (IsPrintable(cp)) sb.Append(c).Append(s[i + 1]);
                else sb.Append("\\U").Append(cp.ToString("x8", CultureInfo.InvariantCulture));
                i++;
            }
            else if (char.IsSurrogate(c)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else if (IsPrintable(c)) sb.Append(c);
            else if (c < 0x100) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            else sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
        }
        sb.Append(quote);
    }

    // Python's str.isprintable(): not a control, format, separator (other than space), surrogate, private-use or unassigned character.
    static bool IsPrintable(int cp)
    {
        if (cp == ' ') return true;
        var cat = CharUnicodeInfo.GetUnicodeCategory(cp);
        return cat is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator);
    }

    /// <summary>Python's <c>repr(float)</c>: the shortest round-trip digits, fixed notation for exponents −4..15, else "1e+16".</summary>
    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsPositiveInfinity(d)) return "inf";
        if (double.IsNegativeInfinity(d)) return "-inf";
        if (d == 0) return double.IsNegative(d) ? "-0.0" : "0.0";
        // Shortest round-trip digits come from "R"; re-derive digits and exponent from it.
        string shortest = d.ToString("R", CultureInfo.InvariantCulture);
        bool negative = shortest.StartsWith('-');
        if (negative) shortest = shortest[1..];
        int exponent = 0;
        int e = shortest.IndexOfAny(['E', 'e']);
        string mantissa = shortest;
        if (e >= 0)
        {
            exponent = int.Parse(shortest[(e + 1)..], CultureInfo.InvariantCulture);
            mantissa = shortest[..e];
        }
        int dot = mantissa.IndexOf('.');
        string digits = dot >= 0 ? mantissa.Remove(dot, 1) : mantissa;
        int pointPos = (dot >= 0 ? dot : mantissa.Length) + exponent;
        int lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0') { lead++; pointPos--; }
        digits = digits[lead..].TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        int decimalExponent = pointPos - 1;
        var sb = new StringBuilder();
        if (negative) sb.Append('-');
        if (decimalExponent is >= -4 and < 16)
        {
            if (pointPos <= 0) sb.Append("0.").Append('0', -pointPos).Append(digits);
            else if (pointPos >= digits.Length) sb.Append(digits).Append('0', pointPos - digits.Length).Append(".0");
            else sb.Append(digits, 0, pointPos).Append('.').Append(digits, pointPos, digits.Length - pointPos);
        }
        else
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            sb.Append('e').Append(decimalExponent < 0 ? '-' : '+').Append(Math.Abs(decimalExponent).ToString("00", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    // Iteration, length, indexing --------------------------------------------------------------------

    public static IEnumerable<object?> Iterate(object? v) => v switch
    {
        List<object?> l => l,
        object?[] t => t,
        Dictionary<object, object?> d => d.Keys,
        string s => CodePoints(s),
        Undefined => [],
        JinjaNamespace ns => ns.Attributes.Keys,
        _ => throw new PyError($"'{TypeName(v)}' object is not iterable"),
    };

    public static List<object?> ToList(object? v) => v is List<object?> l ? l : [.. Iterate(v)];

    static IEnumerable<object?> CodePoints(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                yield return s.Substring(i, 2);
                i++;
            }
            else yield return s[i].ToString();
        }
    }

    static bool HasSurrogates(string s)
    {
        foreach (char c in s) if (char.IsSurrogate(c)) return true;
        return false;
    }

    public static int Length(object? v) => v switch
    {
        string s => HasSurrogates(s) ? CodePoints(s).Count() : s.Length,
        List<object?> l => l.Count,
        object?[] t => t.Length,
        Dictionary<object, object?> d => d.Count,
        Undefined => 0,
        JinjaNamespace ns => ns.Attributes.Count,
        _ => throw new PyError($"object of type '{TypeName(v)}' has no len()"),
    };

    /// <summary>Item access as Python's <c>obj[key]</c>; null when there is no such item (the caller makes the undefined).</summary>
    public static bool TryGetItem(object? target, object? key, out object? value)
    {
        value = null;
        switch (target)
        {
            case Dictionary<object, object?> d:
                return key is not null && IsHashable(key) && d.TryGetValue(key, out value);
            case List<object?> or object?[] or string:
                if (key is not (long or bool)) return false;
                long index = AsLong(key);
                if (target is string s && HasSurrogates(s))
                {
                    var cps = CodePoints(s).ToList();
                    if (index < 0) index += cps.Count;
                    if (index < 0 || index >= cps.Count) return false;
                    value = cps[(int)index];
                    return true;
                }
                int n = target switch { string str => str.Length, List<object?> l => l.Count, _ => ((object?[])target).Length };
                if (index < 0) index += n;
                if (index < 0 || index >= n) return false;
                value = target switch { string str => str[(int)index].ToString(), List<object?> l => l[(int)index], _ => ((object?[])target)[(int)index] };
                return true;
            case JinjaNamespace ns:
                return key is string k && ns.Attributes.TryGetValue(k, out value);
            default:
                return false;
        }
    }

    public static object? Slice(object? target, object? start, object? stop, object? step)
    {
        long? Bound(object? b, string what) => b switch
        {
            null => null,
            long l => l,
            bool x => x ? 1 : 0,
            Undefined => null,
            _ => throw new PyError($"slice indices must be integers or None, not {TypeName(b)} ({what})"),
        };
        long stepValue = Bound(step, "step") ?? 1;
        if (stepValue == 0) throw new PyError("slice step cannot be zero");
        IReadOnlyList<object?> items = target switch
        {
            string s => HasSurrogates(s) ? CodePoints(s).ToList() : null!,
            List<object?> l => l,
            object?[] t => t,
            Undefined u => throw u.Fail(),
            _ => throw new PyError($"'{TypeName(target)}' object is not subscriptable"),
        };
        int n = items?.Count ?? ((string)target!).Length;
        var indices = SliceIndices(n, Bound(start, "start"), Bound(stop, "stop"), stepValue);
        if (target is string str)
        {
            var sb = new StringBuilder();
            foreach (int i in indices) sb.Append(items is null ? str[i].ToString() : (string)items[i]!);
            return sb.ToString();
        }
        var result = new List<object?>();
        foreach (int i in indices) result.Add(items![i]);
        return target is object?[] ? result.ToArray() : result;
    }

    // Python's slice.indices(n) followed by range(start, stop, step).
    static IEnumerable<int> SliceIndices(int n, long? start, long? stop, long step)
    {
        long lo, hi;
        if (step > 0)
        {
            lo = start is null ? 0 : start < 0 ? Math.Max(0, start.Value + n) : Math.Min(start.Value, n);
            hi = stop is null ? n : stop < 0 ? Math.Max(0, stop.Value + n) : Math.Min(stop.Value, n);
            for (long i = lo; i < hi; i += step) yield return (int)i;
        }
        else
        {
            lo = start is null ? n - 1 : start < 0 ? Math.Max(-1, start.Value + n) : Math.Min(start.Value, n - 1);
            hi = stop is null ? -1 : stop < 0 ? Math.Max(-1, stop.Value + n) : Math.Min(stop.Value, n - 1);
            for (long i = lo; i > hi; i += step) yield return (int)i;
        }
    }
}
