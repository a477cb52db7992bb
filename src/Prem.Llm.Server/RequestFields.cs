using System.Text.Json;

namespace Prem.Llm.Server;

/// <summary>Typed reads of a JSON request object's fields, each failing with a 400 that names the field and the type it needs.</summary>
internal readonly struct RequestFields(JsonElement root)
{
    public JsonElement Root => root;

    public bool Has(string name) => root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement? Get(string name) => root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public string? String(string name)
    {
        if (Get(name) is not { } v) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw WrongType(name, "a string", v);
    }

    public bool? Bool(string name)
    {
        if (Get(name) is not { } v) return null;
        return v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw WrongType(name, "a boolean", v);
    }

    public long? Integer(string name, long min, long max)
    {
        if (Get(name) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long x)) throw WrongType(name, "an integer", v);
        if (x < min || x > max) throw OpenAiException.Invalid(name, $"{x} is out of range for '{name}': expected {min} to {max}.");
        return x;
    }

    public double? Number(string name, double min, double max)
    {
        if (Get(name) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Number) throw WrongType(name, "a number", v);
        double x = v.GetDouble();
        if (!(x >= min && x <= max)) throw OpenAiException.Invalid(name, $"{x} is out of range for '{name}': expected {min} to {max}.");
        return x;
    }

    public static OpenAiException WrongType(string name, string expected, JsonElement got) =>
        new(400, $"Invalid type for '{name}': expected {expected}, but got {Describe(got)}.", name, "invalid_type");

    static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
