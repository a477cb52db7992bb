namespace Prem.Llm.Text.Templates;

/// <summary>An expression node; <see cref="Line"/> and <see cref="Column"/> place it in the source for errors.</summary>
internal abstract record Expr(int Line, int Column);

/// <summary>A literal value (string, number, boolean, none).</summary>
internal sealed record ConstExpr(object? Value, int Line, int Column) : Expr(Line, Column);

/// <summary>A variable reference.</summary>
internal sealed record NameExpr(string Name, int Line, int Column) : Expr(Line, Column);

/// <summary>A list, tuple (<see cref="IsTuple"/>) literal.</summary>
internal sealed record ListExpr(Expr[] Items, bool IsTuple, int Line, int Column) : Expr(Line, Column);

/// <summary>A dict literal.</summary>
internal sealed record DictExpr((Expr Key, Expr Value)[] Pairs, int Line, int Column) : Expr(Line, Column);

/// <summary><c>obj.name</c>: attribute first, then item.</summary>
internal sealed record AttrExpr(Expr Target, string Name, int Line, int Column) : Expr(Line, Column);

/// <summary><c>obj[key]</c>: item first, then attribute.</summary>
internal sealed record ItemExpr(Expr Target, Expr Key, int Line, int Column) : Expr(Line, Column);

/// <summary><c>obj[start:stop:step]</c>.</summary>
internal sealed record SliceExpr(Expr Target, Expr? Start, Expr? Stop, Expr? Step, int Line, int Column) : Expr(Line, Column);

/// <summary>Arguments of a call, filter or test.</summary>
internal sealed record Arguments(Expr[] Positional, (string Name, Expr Value)[] Named, Expr? Star, Expr? DoubleStar)
{
    public static Arguments None { get; } = new([], [], null, null);
}

/// <summary>A call <c>f(args)</c>.</summary>
internal sealed record CallExpr(Expr Callee, Arguments Args, int Line, int Column) : Expr(Line, Column);

/// <summary><c>value | name(args)</c>.</summary>
internal sealed record FilterExpr(Expr? Value, string Name, Arguments Args, int Line, int Column) : Expr(Line, Column);

/// <summary><c>value is [not] name(args)</c>.</summary>
internal sealed record TestExpr(Expr Value, string Name, Arguments Args, bool Negated, int Line, int Column) : Expr(Line, Column);

/// <summary>Unary <c>-</c>, <c>+</c> or <c>not</c>.</summary>
internal sealed record UnaryExpr(string Op, Expr Operand, int Line, int Column) : Expr(Line, Column);

/// <summary>Binary arithmetic, <c>~</c>, <c>and</c>, <c>or</c>.</summary>
internal sealed record BinaryExpr(string Op, Expr Left, Expr Right, int Line, int Column) : Expr(Line, Column);

/// <summary>A comparison chain <c>a &lt; b == c</c>, including <c>in</c> and <c>not in</c>.</summary>
internal sealed record CompareExpr(Expr First, (string Op, Expr Operand)[] Rest, int Line, int Column) : Expr(Line, Column);

/// <summary><c>a if test else b</c> (<see cref="Else"/> null gives undefined).</summary>
internal sealed record CondExpr(Expr Test, Expr Then, Expr? Else, int Line, int Column) : Expr(Line, Column);
