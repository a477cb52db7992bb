namespace Prem.Llm.Text.Templates;

/// <summary>The <c>loop</c> variable inside a <c>for</c>: index, index0, revindex, first, last, length, previtem, nextitem, depth, cycle(), changed().</summary>
internal sealed class LoopContext(IReadOnlyList<object?> items, int depth0, Func<object?, object?>? recurse)
{
    object?[]? _lastChanged;

    public int Index0 { get; set; }

    public int Index => Index0 + 1;

    public int Length => items.Count;

    public int Depth0 => depth0;

    public Func<object?, object?>? Recurse => recurse;

    public object? GetAttribute(string name) => name switch
    {
        "index" => (long)Index,
        "index0" => (long)Index0,
        "revindex" => (long)(Length - Index0),
        "revindex0" => (long)(Length - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == Length - 1,
        "length" => (long)Length,
        "depth" => (long)(depth0 + 1),
        "depth0" => (long)depth0,
        "previtem" => Index0 > 0 ? items[Index0 - 1] : new Undefined("there is no previous item"),
        "nextitem" => Index0 + 1 < Length ? items[Index0 + 1] : new Undefined("there is no next item"),
        "cycle" => new BuiltinFunction("cycle", (_, args, _) =>
            args.Count == 0 ? throw new PyError("no items for cycling given") : args[Index0 % args.Count]),
        "changed" => new BuiltinFunction("changed", (_, args, _) =>
        {
            var now = args.ToArray();
            if (_lastChanged is not null && PyOps.Equal(_lastChanged, now)) return false;
            _lastChanged = now;
            return true;
        }),
        _ => Undefined.NoAttribute(this, name),
    };
}
