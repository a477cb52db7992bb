using System.Collections;
using System.Text.Json;

namespace Prem.Llm.Text.Templates;

/// <summary>
/// Turns the caller's variables into template values, copying them so a template can never change the
/// caller's data: strings, booleans, integers, floats, null, <see cref="JsonElement"/>, dictionaries with
/// string keys and sequences. Any other .NET object is refused, so no member of it is reachable.
/// </summary>
internal static class TemplateValues
{
    public static object? From(object? value, int depth = 0)
    {
        if (depth > 64) throw new ArgumentException("template variables nest deeper than 64 levels.");
        switch (value)
        {
            case null: return null;
            case string s: return s;
            case bool b: return b;
            case int or long or short or sbyte or byte or ushort or uint: return Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            case float or double or decimal: return Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
            case JsonElement e: return FromJson(e, depth);
            case IDictionary<string, object?> d:
                var dict = PyOps.NewDict();
                foreach (var (k, v) in d) dict[k] = From(v, depth + 1);
                return dict;
            case IReadOnlyDictionary<string, object?> d:
                var rdict = PyOps.NewDict();
                foreach (var (k, v) in d) rdict[k] = From(v, depth + 1);
                return rdict;
            case IDictionary d:
                var odict = PyOps.NewDict();
                foreach (DictionaryEntry entry in d)
                    odict[entry.Key as string ?? throw new ArgumentException("template dictionaries need string keys.")] = From(entry.Value, depth + 1);
                return odict;
            case IEnumerable items:
                var list = new List<object?>();
                foreach (var item in items) list.Add(From(item, depth + 1));
                return list;
            default:
                throw new ArgumentException($"a template variable of type {value.GetType().Name} is not supported (use strings, numbers, booleans, null, lists, dictionaries or JsonElement).");
        }
    }

    static object? FromJson(JsonElement e, int depth)
    {
        if (depth > 64) throw new ArgumentException("template variables nest deeper than 64 levels.");
        switch (e.ValueKind)
        {
            case JsonValueKind.String: return e.GetString();
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Null: return null;
            case JsonValueKind.Number:
                // Python's json: "1" is an int, "1.0" and "1e5" are floats.
                string raw = e.GetRawText();
                if (raw.AsSpan().IndexOfAny(".eE") < 0 && e.TryGetInt64(out long l)) return l;
                return e.GetDouble();
            case JsonValueKind.Array:
                var list = new List<object?>();
                foreach (var item in e.EnumerateArray()) list.Add(FromJson(item, depth + 1));
                return list;
            case JsonValueKind.Object:
                var dict = PyOps.NewDict();
                foreach (var p in e.EnumerateObject()) dict[p.Name] = FromJson(p.Value, depth + 1);
                return dict;
            default:
                return null;
        }
    }
}
