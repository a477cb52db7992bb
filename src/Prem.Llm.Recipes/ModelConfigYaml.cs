using System.Globalization;
using System.Text.Json.Nodes;
using Prem.Llm.Modeling;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Prem.Llm.Recipes;

/// <summary>
/// Reads <c>model.model_args.config</c>, an architecture written with HF config.json keys, through the
/// same validation as a config.json file (<see cref="LlamaConfigJson.Parse"/>), so both spellings of a
/// model mean the same thing; its errors are re-thrown with the YAML key path and line.
/// </summary>
internal static class ModelConfigYaml
{
    public static LlamaConfig Read(YamlSection parent, string key, RecipeSource source)
    {
        var section = parent.Section(key)!;
        var json = (JsonObject)ToJson(section.Node)!;
        try
        {
            return LlamaConfigJson.Parse(json.ToJsonString());
        }
        catch (LlamaConfigException e)
        {
            var at = section.Node.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode s && s.Value == e.Field).Key ?? section.Node;
            string problem = e.Message.StartsWith(e.Field + ": ", StringComparison.Ordinal) ? e.Message[(e.Field.Length + 2)..] : e.Message;
            throw new RecipeException(source.Where(at), section.KeyPath(e.Field), problem, e);
        }
    }

    static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode s => Scalar(s),
        _ => null,
    };

    static JsonNode? Scalar(YamlScalarNode s)
    {
        string text = s.Value ?? "";
        if (s.Style != ScalarStyle.Plain) return JsonValue.Create(text);
        if (text is "" or "~" or "null" or "Null" or "NULL") return null;
        if (text is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (text is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return JsonValue.Create(l);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) return JsonValue.Create(d);
        return JsonValue.Create(text);
    }
}
