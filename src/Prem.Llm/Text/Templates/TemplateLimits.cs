namespace Prem.Llm.Text.Templates;

/// <summary>
/// Bounds that make a hostile template fail quickly and cleanly instead of hanging or exhausting memory,
/// the role transformers gives jinja2's sandbox.
/// </summary>
public sealed record TemplateLimits
{
    /// <summary>The most characters a render may produce, and the longest string or list it may build (default 16 Mi).</summary>
    public int MaxOutputLength { get; init; } = 16 << 20;

    /// <summary>The most loop iterations in one render, all loops together (default 1,000,000).</summary>
    public long MaxLoopIterations { get; init; } = 1_000_000;

    /// <summary>The deepest macro call and recursive-loop nesting (default 100).</summary>
    public int MaxRecursionDepth { get; init; } = 100;

    internal void CheckLength(double length) => PyOps.CheckLength(length);

    internal string CheckString(string s)
    {
        CheckLength(s.Length);
        return s;
    }

    internal T CheckList<T>(T list) where T : System.Collections.ICollection
    {
        CheckLength(list.Count);
        return list;
    }
}
