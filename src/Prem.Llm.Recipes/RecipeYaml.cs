using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Prem.Llm.Recipes;

/// <summary>
/// Reads recipes from YAML with the Prem-1B recipe's own keys. Unknown keys, wrong types, bad enum values and
/// missing required keys throw <see cref="RecipeException"/> naming the file, line and key path.
/// Overrides (<c>key.path=value</c>, as from <c>--set</c>) are applied to the parsed tree before binding.
/// Relative paths in a recipe are taken relative to the current folder, as the Python tools do.
/// </summary>
internal static class RecipeYaml
{
    /// <summary>Reads a pretraining or SFT recipe (the Prem-1B recipe's Lightning-style shape) from <paramref name="path"/>.</summary>
    public static TrainingRecipe LoadTraining(string path, RecipeKind kind, IEnumerable<string>? overrides = null) =>
        ParseTraining(ReadFile(path), kind, overrides, path);

    /// <summary>Parses a pretraining or SFT recipe; <paramref name="file"/> names the text in errors.</summary>
    public static TrainingRecipe ParseTraining(string yaml, RecipeKind kind, IEnumerable<string>? overrides = null, string file = "<yaml>")
    {
        var (root, source) = Tree(yaml, file, overrides);
        return TrainingRecipeYaml.Bind(new YamlSection(root, source, null), kind, source);
    }

    /// <summary>Reads a DPO recipe (the Prem-1B recipe's flat TRL keys) from <paramref name="path"/>.</summary>
    public static DpoRecipe LoadDpo(string path, IEnumerable<string>? overrides = null) =>
        ParseDpo(ReadFile(path), overrides, path);

    /// <summary>Parses a DPO recipe; <paramref name="file"/> names the text in errors.</summary>
    public static DpoRecipe ParseDpo(string yaml, IEnumerable<string>? overrides = null, string file = "<yaml>")
    {
        var (root, source) = Tree(yaml, file, overrides);
        return DpoRecipeYaml.Bind(new YamlSection(root, source, null));
    }

    static readonly UTF8Encoding _strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    static string ReadFile(string path)
    {
        if (!File.Exists(path)) throw new RecipeException(path, null, "config file not found");
        byte[] bytes = File.ReadAllBytes(path);
        int start = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        try
        {
            return _strictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException e)
        {
            throw new RecipeException(path, null, $"not valid UTF-8 at byte offset {start + e.Index} (save the file as UTF-8)", e);
        }
    }

    static (YamlMappingNode Root, RecipeSource Source) Tree(string yaml, string file, IEnumerable<string>? overrides)
    {
        var source = new RecipeSource(file);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            // Duplicate keys surface here too, with the mark of the second occurrence.
            throw new RecipeException($"{file}:{e.Start.Line}", null, (e.InnerException ?? e).Message, e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this (without a mark) for some malformed flow collections.
            throw new RecipeException(file, null, $"not valid YAML: {e.Message}", e);
        }
        if (stream.Documents.Count > 1) throw new RecipeException(file, null, "expected one YAML document, found several");
        var root = stream.Documents.Count == 0 ? new YamlMappingNode() : stream.Documents[0].RootNode as YamlMappingNode
            ?? throw new RecipeException($"{file}:{stream.Documents[0].RootNode.Start.Line}", null, "the recipe must be a mapping of keys");
        if (overrides is not null) YamlOverrides.Apply(root, source, overrides);
        return (root, source);
    }
}
