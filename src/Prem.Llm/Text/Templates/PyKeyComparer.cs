namespace Prem.Llm.Text.Templates;

/// <summary>Dict keys compare as in Python: <c>1</c>, <c>1.0</c> and <c>True</c> are the same key.</summary>
internal sealed class PyKeyComparer : IEqualityComparer<object>
{
    public static PyKeyComparer Instance { get; } = new();

    public new bool Equals(object? x, object? y) => PyOps.Equal(x, y);

    public int GetHashCode(object obj) => obj switch
    {
        bool b => b ? 1 : 0,
        long l => l.GetHashCode(),
        double d => d == Math.Floor(d) && d is >= long.MinValue and <= long.MaxValue ? ((long)d).GetHashCode() : d.GetHashCode(),
        string s => StringComparer.Ordinal.GetHashCode(s),
        object?[] t => t.Length,
        _ => throw new PyError($"unhashable type: '{PyOps.TypeName(obj)}'"),
    };
}
