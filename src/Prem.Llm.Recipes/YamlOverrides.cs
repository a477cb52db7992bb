using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Prem.Llm.Recipes;

/// <summary>
/// Applies <c>--set key.path=value</c> overrides to a parsed recipe before it is bound, so an override
/// is checked exactly like the file's own value. The value is read as YAML (a scalar, or a flow node
/// such as <c>[0.9, 0.95]</c>); missing intermediate mappings are created.
/// </summary>
internal static class YamlOverrides
{
    /// <summary>Splits <c>key.path=value</c> into its key segments and value text.</summary>
    /// <exception cref="RecipeException">No '=', an empty key or an empty key segment.</exception>
    public static (string[] Keys, string Value) Parse(string assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        int eq = assignment.IndexOf('=');
        if (eq < 0) throw new RecipeException("--set", null, $"\"{assignment}\" is not key.path=value (no '=')");
        string key = assignment[..eq].Trim();
        string[] segments = key.Split('.');
        if (key.Length == 0 || segments.Any(s => s.Length == 0))
            throw new RecipeException("--set", null, $"\"{assignment}\" has an empty key or key segment (expected key.path=value)");
        return (segments, assignment[(eq + 1)..]);
    }

    /// <summary>Applies each override to <paramref name="root"/> in order (later ones win).</summary>
    internal static void Apply(YamlMappingNode root, RecipeSource source, IEnumerable<string> assignments)
    {
        foreach (string assignment in assignments)
        {
            var (keys, text) = Parse(assignment);
            string path = string.Join('.', keys);
            var value = ParseValue(path, text);
            source.MarkOverride(value);
            var map = root;
            for (int i = 0; i < keys.Length - 1; i++)
            {
                var child = Get(map, keys[i]);
                if (child is null)
                {
                    child = new YamlMappingNode();
                    map.Children[Key(source, keys[i])] = child;
                }
                map = child as YamlMappingNode
                    ?? throw new RecipeException("--set", path, $"{string.Join('.', keys[..(i + 1)])} is not a mapping, so it has no key \"{keys[i + 1]}\"");
            }
            var existing = map.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault(k => k.Value == keys[^1]);
            if (existing is not null) map.Children[existing] = value;
            else map.Children[Key(source, keys[^1])] = value;
        }
    }

    static YamlScalarNode Key(RecipeSource source, string name)
    {
        var key = new YamlScalarNode(name);
        source.MarkOverride(key);
        return key;
    }

    static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode s && s.Value == key).Value;

    static YamlNode ParseValue(string path, string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return new YamlScalarNode("") { Style = ScalarStyle.Plain };
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new RecipeException("--set", path, $"the value \"{text}\" is not valid YAML: {e.Message}", e);
        }
        return stream.Documents.Count == 0 ? new YamlScalarNode("") : stream.Documents[0].RootNode;
    }
}
