using System.Text.Json;

namespace Prem.Llm.Text;

/// <summary>
/// Reads the fields of one HF tokenizer JSON file strictly: a wrong type, a missing field or a field we
/// do not know is a <see cref="TextDataException"/> naming the file and the field path, so a file we
/// would read differently from HF's tokenizers never loads silently.
/// </summary>
internal sealed class HfJsonReader(string path)
{
    /// <summary>The file the errors name.</summary>
    public string Path { get; } = path;

    /// <summary>An error about <paramref name="field"/>.</summary>
    public TextDataException Error(string field, string message) => new(Path, message, field);

    /// <summary><paramref name="e"/> when it is an object.</summary>
    public JsonElement Object(JsonElement e, string field) =>
        e.ValueKind == JsonValueKind.Object ? e : throw Error(field, $"expected a JSON object, found {e.ValueKind}.");

    /// <summary><paramref name="e"/> when it is an array.</summary>
    public JsonElement Array(JsonElement e, string field) =>
        e.ValueKind == JsonValueKind.Array ? e : throw Error(field, $"expected a JSON array, found {e.ValueKind}.");

    /// <summary>Fails on any property of <paramref name="obj"/> not in <paramref name="known"/>.</summary>
    public void OnlyKnown(JsonElement obj, string field, params string[] known)
    {
        foreach (var p in obj.EnumerateObject())
            if (System.Array.IndexOf(known, p.Name) < 0)
                throw Error(field + "." + p.Name, $"unsupported option '{p.Name}' (known: {string.Join(", ", known)}); refusing rather than tokenizing differently from HF.");
    }

    /// <summary>The "type" of a component object.</summary>
    public string Type(JsonElement obj, string field) => String(obj, "type", field);

    /// <summary>A required string property.</summary>
    public string String(JsonElement obj, string name, string field) =>
        OptionalString(obj, name, field) ?? throw Error(field + "." + name, "missing.");

    /// <summary>A string property, or null when absent or null.</summary>
    public string? OptionalString(JsonElement obj, string name, string field)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Error(field + "." + name, $"expected a string, found {v.ValueKind}.");
    }

    /// <summary>A boolean property, or <paramref name="fallback"/> when absent or null.</summary>
    public bool Bool(JsonElement obj, string name, string field, bool fallback)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return fallback;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(field + "." + name, $"expected true or false, found {v.ValueKind}."),
        };
    }

    /// <summary>A non-negative integer property, or <paramref name="fallback"/> when absent or null.</summary>
    public int Int(JsonElement obj, string name, string field, int fallback)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return fallback;
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) && i >= 0
            ? i : throw Error(field + "." + name, $"expected a non-negative integer, found {v}.");
    }

    /// <summary>A required object property.</summary>
    public JsonElement Property(JsonElement obj, string name, string field) =>
        obj.TryGetProperty(name, out var v) ? v : throw Error(field + "." + name, "missing.");

    /// <summary>A one-character string property (HF stores chars as strings).</summary>
    public char Char(JsonElement obj, string name, string field, char fallback)
    {
        string? s = OptionalString(obj, name, field);
        if (s is null) return fallback;
        return s.Length == 1 ? s[0] : throw Error(field + "." + name, $"expected a single character, found \"{s}\".");
    }
}
