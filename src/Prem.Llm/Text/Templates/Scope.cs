namespace Prem.Llm.Text.Templates;

/// <summary>Variables of one frame (the template, a for loop, a macro call); lookups fall back to the parent.</summary>
internal sealed class Scope(Scope? parent)
{
    readonly Dictionary<string, object?> _vars = new(StringComparer.Ordinal);

    public Scope? Parent => parent;

    public bool TryGet(string name, out object? value)
    {
        for (var s = this; s is not null; s = s.Parent)
            if (s._vars.TryGetValue(name, out value)) return true;
        value = null;
        return false;
    }

    public bool HasLocal(string name) => _vars.ContainsKey(name);

    public void Set(string name, object? value) => _vars[name] = value;
}
