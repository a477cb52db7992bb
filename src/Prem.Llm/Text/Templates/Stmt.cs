namespace Prem.Llm.Text.Templates;

/// <summary>A statement node; <see cref="Line"/> and <see cref="Column"/> place it in the source for errors.</summary>
internal abstract record Stmt(int Line, int Column);

/// <summary>Literal template text.</summary>
internal sealed record DataStmt(string Text, int Line, int Column) : Stmt(Line, Column);

/// <summary><c>{{ expr }}</c>.</summary>
internal sealed record PrintStmt(Expr Value, int Line, int Column) : Stmt(Line, Column);

/// <summary><c>if / elif / else</c>.</summary>
internal sealed record IfStmt((Expr Test, Stmt[] Body)[] Branches, Stmt[]? Else, int Line, int Column) : Stmt(Line, Column);

/// <summary><c>for targets in iterable [if filter] [recursive]</c> with an optional <c>else</c>.</summary>
internal sealed record ForStmt(Expr Target, Expr Iterable, Expr? Filter, bool Recursive, Stmt[] Body, Stmt[]? Else, int Line, int Column) : Stmt(Line, Column);

/// <summary><c>set target = value</c>; the target is a name, a tuple of names or <c>ns.attr</c>.</summary>
internal sealed record SetStmt(Expr Target, Expr Value, int Line, int Column) : Stmt(Line, Column);

/// <summary><c>{% set name %}…{% endset %}</c>, optionally through filters.</summary>
internal sealed record SetBlockStmt(Expr Target, FilterExpr[] Filters, Stmt[] Body, int Line, int Column) : Stmt(Line, Column);

/// <summary><c>macro name(params)</c>.</summary>
internal sealed record MacroStmt(string Name, string[] Params, Expr?[] Defaults, Stmt[] Body, int Line, int Column) : Stmt(Line, Column);

/// <summary><c>{% call(params) macro(args) %}body{% endcall %}</c>.</summary>
internal sealed record CallBlockStmt(CallExpr Call, string[] CallerParams, Expr?[] CallerDefaults, Stmt[] Body, int Line, int Column) : Stmt(Line, Column);

/// <summary><c>{% filter name %}…{% endfilter %}</c>.</summary>
internal sealed record FilterBlockStmt(FilterExpr[] Filters, Stmt[] Body, int Line, int Column) : Stmt(Line, Column);

/// <summary><c>{% with a = 1 %}…{% endwith %}</c>.</summary>
internal sealed record WithStmt((Expr Target, Expr Value)[] Assignments, Stmt[] Body, int Line, int Column) : Stmt(Line, Column);

/// <summary><c>break</c> or <c>continue</c> (the loopcontrols extension).</summary>
internal sealed record LoopControlStmt(bool IsBreak, int Line, int Column) : Stmt(Line, Column);

/// <summary>transformers' <c>{% generation %}…{% endgeneration %}</c>: marks assistant text.</summary>
internal sealed record GenerationStmt(Stmt[] Body, int Line, int Column) : Stmt(Line, Column);
