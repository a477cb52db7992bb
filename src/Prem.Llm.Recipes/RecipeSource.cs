using YamlDotNet.RepresentationModel;

namespace Prem.Llm.Recipes;

/// <summary>
/// Where the nodes of a parsed recipe came from: the file (with YamlDotNet's line marks) or a
/// <c>--set</c> override, so errors point at the right place.
/// </summary>
internal sealed class RecipeSource(string file)
{
    private readonly HashSet<YamlNode> _overridden = new(ReferenceEqualityComparer.Instance);

    /// <summary>The file name used in messages.</summary>
    public string File { get; } = file;

    /// <summary>Marks <paramref name="node"/> and everything under it as coming from <c>--set</c>.</summary>
    public void MarkOverride(YamlNode node)
    {
        foreach (var n in node.AllNodes) _overridden.Add(n);
    }

    /// <summary>"file:line" for a node read from the file, "--set" for an override.</summary>
    public string Where(YamlNode node) =>
        _overridden.Contains(node) ? "--set" : $"{File}:{node.Start.Line}";
}
