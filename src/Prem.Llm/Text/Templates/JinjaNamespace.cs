namespace Prem.Llm.Text.Templates;

/// <summary>The object <c>namespace(...)</c> returns: the one value whose attributes <c>set ns.x = …</c> may change.</summary>
internal sealed class JinjaNamespace
{
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}
