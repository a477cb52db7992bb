using System.Text.Json;
using System.Text.Json.Nodes;

namespace Prem.Llm.Modeling;

/// <summary>Typed access to a config JSON object; wrong types become errors naming the field.</summary>
internal sealed class FieldReader(JsonObject obj, string? file, string? prefix = null)
{
    readonly HashSet<string> _read = [];

    string Name(string key) => prefix is null ? key : $"{prefix}.{key}";

    JsonValue? Value(string key)
    {
        _read.Add(key);
        if (!obj.TryGetPropertyValue(key, out var node) || node is null) return null;
        return node as JsonValue ?? throw new LlamaConfigException(Name(key), $"expected a value, got {node.GetValueKind()}.", file);
    }

    public int? Int(string key)
    {
        var v = Value(key);
        if (v is null) return null;
        if (v.GetValueKind() == JsonValueKind.Number)
        {
            double d = v.GetValue<double>();
            if (d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue) return (int)d;
        }
        throw new LlamaConfigException(Name(key), $"expected an integer, got {v.ToJsonString()}.", file);
    }

    public double? Double(string key)
    {
        var v = Value(key);
        if (v is null) return null;
        if (v.GetValueKind() == JsonValueKind.Number)
        {
            // .NET reads 1e400 as infinity; no config field means that, and it could not be written back.
            double d = v.GetValue<double>();
            if (double.IsFinite(d)) return d;
        }
        throw new LlamaConfigException(Name(key), $"expected a number, got {v.ToJsonString()}.", file);
    }

    public bool? Bool(string key)
    {
        var v = Value(key);
        if (v is null) return null;
        return v.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new LlamaConfigException(Name(key), $"expected true or false, got {v.ToJsonString()}.", file),
        };
    }

    public string? String(string key)
    {
        var v = Value(key);
        if (v is null) return null;
        if (v.GetValueKind() == JsonValueKind.String) return v.GetValue<string>();
        throw new LlamaConfigException(Name(key), $"expected a string, got {v.ToJsonString()}.", file);
    }

    public JsonObject? Object(string key)
    {
        _read.Add(key);
        if (!obj.TryGetPropertyValue(key, out var node) || node is null) return null;
        return node as JsonObject ?? throw new LlamaConfigException(Name(key), $"expected an object, got {node.GetValueKind()}.", file);
    }

    /// <summary>The raw node (null when absent or null), marked read; the caller checks its shape.</summary>
    public JsonNode? Node(string key)
    {
        _read.Add(key);
        return obj.TryGetPropertyValue(key, out var node) ? node : null;
    }

    public double[]? Doubles(string key)
    {
        _read.Add(key);
        if (!obj.TryGetPropertyValue(key, out var node) || node is null) return null;
        if (node is JsonArray arr && arr.All(x => x is JsonValue jv && jv.GetValueKind() == JsonValueKind.Number && double.IsFinite(jv.GetValue<double>())))
            return arr.Select(x => x!.GetValue<double>()).ToArray();
        throw new LlamaConfigException(Name(key), $"expected a list of numbers, got {node.ToJsonString()}.", file);
    }

    public IReadOnlyList<int> IntOrList(string key)
    {
        _read.Add(key);
        if (!obj.TryGetPropertyValue(key, out var node) || node is null) return [];
        if (node is JsonArray arr)
            return arr.Select((x, i) => x is JsonValue jv && jv.GetValueKind() == JsonValueKind.Number && jv.GetValue<double>() is var d
                && d % 1 == 0 && d >= int.MinValue && d <= int.MaxValue
                ? (int)d
                : throw new LlamaConfigException($"{Name(key)}[{i}]", $"expected an integer, got {x?.ToJsonString() ?? "null"}.", file)).ToArray();
        return [Int(key)!.Value];
    }

    /// <summary>Fields no accessor asked for.</summary>
    public Dictionary<string, JsonNode?> Unread() =>
        obj.Where(kv => !_read.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value?.DeepClone());
}
