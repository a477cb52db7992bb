using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Prem.Llm.Recipes;

/// <summary>
/// Reads one YAML mapping of a recipe with strict types: every getter records the key as known, and
/// <see cref="RejectUnknown"/> then fails on the first key nobody asked for. Written by hand because
/// YamlDotNet's deserializer reports neither the dotted key path nor a type error in the words a
/// config user needs, and cannot tell an integer from a fraction (Lightning's <c>limit_*_batches</c>).
/// </summary>
internal sealed class YamlSection
{
    private readonly YamlMappingNode _node;
    private readonly RecipeSource _source;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    private readonly YamlNode? _keyNode;

    /// <summary>Reads <paramref name="node"/>, found at <paramref name="path"/> under the key <paramref name="keyNode"/> (null for the root).</summary>
    public YamlSection(YamlMappingNode node, RecipeSource source, string? path, YamlNode? keyNode = null)
    {
        this._node = node;
        this._source = source;
        this._keyNode = keyNode;
        Path = path;
    }

    /// <summary>The dotted path of this mapping; null for the document root.</summary>
    public string? Path { get; }

    /// <summary>The mapping's node (for locations).</summary>
    public YamlMappingNode Node => _node;

    /// <summary>The dotted path of <paramref name="key"/> in this mapping.</summary>
    public string KeyPath(string key) => Path is null ? key : $"{Path}.{key}";

    /// <summary>The value of <paramref name="key"/>, or null when absent or YAML null.</summary>
    public YamlNode? Find(string key) => Entry(key)?.Value;

    KeyValuePair<YamlNode, YamlNode>? Entry(string key)
    {
        _known.Add(key);
        foreach (var kv in _node.Children)
            if (kv.Key is YamlScalarNode s && s.Value == key) return IsNull(kv.Value) ? null : kv;
        return null;
    }

    /// <summary>Whether the key is present with a non-null value.</summary>
    public bool Has(string key) => Find(key) is not null;

    public double? Double(string key)
    {
        var scalar = Scalar(key, "a number");
        if (scalar is null) return null;
        if (scalar.Style == ScalarStyle.Plain && double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) return v;
        throw Error(key, scalar, $"expected a number, got {Show(scalar)}");
    }

    public long? Long(string key)
    {
        var scalar = Scalar(key, "an integer");
        if (scalar is null) return null;
        if (scalar.Style == ScalarStyle.Plain && long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)) return v;
        throw Error(key, scalar, $"expected an integer, got {Show(scalar)}");
    }

    public int? Int(string key)
    {
        long? v = Long(key);
        if (v is null) return null;
        if (v < int.MinValue || v > int.MaxValue) throw Error(key, Find(key)!, $"{v} is out of range");
        return (int)v;
    }

    public bool? Bool(string key)
    {
        var scalar = Scalar(key, "true or false");
        if (scalar is null) return null;
        // PyYAML (which the Prem-1B recipe's tools use) also reads True/False, as in the Prem-1B recipe's `use_reentrant: False`.
        if (scalar.Style == ScalarStyle.Plain)
            switch (scalar.Value)
            {
                case "true" or "True" or "TRUE": return true;
                case "false" or "False" or "FALSE": return false;
            }
        throw Error(key, scalar, $"expected true or false, got {Show(scalar)}");
    }

    public string? String(string key) => Scalar(key, "a string")?.Value;

    /// <summary>A string value that must be one of <paramref name="choices"/>' keys.</summary>
    public T? Choice<T>(string key, IReadOnlyDictionary<string, T> choices) where T : struct
    {
        var scalar = Scalar(key, "a string");
        if (scalar is null) return null;
        if (choices.TryGetValue(scalar.Value ?? "", out var value)) return value;
        throw Error(key, scalar, $"expected one of {string.Join(", ", choices.Keys)}, got {Show(scalar)}");
    }

    /// <summary>A number that is an integer count when written without a point, a fraction otherwise (Lightning's convention).</summary>
    public BatchAmount? Amount(string key)
    {
        var scalar = Scalar(key, "an integer or a fraction");
        if (scalar is null) return null;
        string text = scalar.Value ?? "";
        if (scalar.Style == ScalarStyle.Plain)
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long count))
                return count >= 0 ? BatchAmount.Batches(count) : throw Error(key, scalar, $"must be ≥ 0, got {text}");
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double fraction))
                return fraction is >= 0 and <= 1 ? BatchAmount.Fraction(fraction) : throw Error(key, scalar, $"a fraction must be in [0, 1], got {text}");
        }
        throw Error(key, scalar, $"expected an integer count or a fraction, got {Show(scalar)}");
    }

    /// <summary>A sequence of exactly <paramref name="count"/> numbers.</summary>
    public double[]? Numbers(string key, int count)
    {
        var value = Find(key);
        if (value is null) return null;
        if (value is not YamlSequenceNode seq || seq.Children.Count != count)
            throw Error(key, value, $"expected a list of {count} numbers, got {Describe(value)}");
        var result = new double[count];
        for (int i = 0; i < count; i++)
        {
            if (seq.Children[i] is YamlScalarNode s && s.Style == ScalarStyle.Plain
                && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                result[i] = v;
            else
                throw new RecipeException(_source.Where(seq.Children[i]), $"{KeyPath(key)}[{i}]", $"expected a number, got {Describe(seq.Children[i])}");
        }
        return result;
    }

    /// <summary>The nested mapping under <paramref name="key"/>, or null when absent.</summary>
    public YamlSection? Section(string key)
    {
        if (Entry(key) is not { } entry) return null;
        if (entry.Value is not YamlMappingNode map) throw Error(key, entry.Value, $"expected a mapping of keys, got {Describe(entry.Value)}");
        return new YamlSection(map, _source, KeyPath(key), entry.Key);
    }

    /// <summary>Throws for the first key that no getter asked for.</summary>
    public void RejectUnknown()
    {
        foreach (var (k, _) in _node.Children)
        {
            string name = (k as YamlScalarNode)?.Value ?? k.ToString();
            if (!_known.Contains(name)) throw new RecipeException(_source.Where(k), KeyPath(name), "unknown key");
        }
    }

    /// <summary>A required key was not given (located at this mapping's own key).</summary>
    public RecipeException Missing(string key) =>
        new(_source.Where(_keyNode ?? _node), KeyPath(key), "required key missing");

    /// <summary>An error at <paramref name="key"/>, located at its value (or at this mapping when absent).</summary>
    public RecipeException Error(string key, string problem) => Error(key, Find(key) ?? (YamlNode)_node, problem);

    RecipeException Error(string key, YamlNode at, string problem) => new(_source.Where(at), KeyPath(key), problem);

    YamlScalarNode? Scalar(string key, string expected)
    {
        var value = Find(key);
        if (value is null) return null;
        return value as YamlScalarNode ?? throw Error(key, value, $"expected {expected}, got {Describe(value)}");
    }

    static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain } s && s.Value is "" or "~" or "null" or "Null" or "NULL" or null;

    static string Show(YamlScalarNode s) => $"\"{s.Value}\"";

    static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode s => Show(s),
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => node.NodeType.ToString(),
    };
}
