using System.Text;

namespace Prem.Llm.Text.Templates;

/// <summary>
/// Walks the parsed template and writes its output, with jinja2's scoping (a <c>for</c> loop and a macro
/// call open a scope, <c>if</c> does not), <c>break</c>/<c>continue</c>, and the limits of
/// <see cref="TemplateLimits"/>. Values never expose .NET members: attribute access reaches only dict
/// items, the Python methods in <see cref="PyMethods"/>, <c>namespace</c> attributes and <c>loop</c>.
/// </summary>
internal sealed class Interpreter(TemplateLimits limits)
{
    enum Flow { Normal, Break, Continue }

    StringBuilder _out = new();
    StringBuilder? _root;
    long _iterations;
    int _depth;

    public TemplateLimits Limits => limits;

    /// <summary>Character ranges of the output written inside <c>{% generation %}</c> blocks.</summary>
    public List<(int Start, int End)> GenerationSpans { get; } = [];

    public string Render(Stmt[] body, Scope scope)
    {
        _out = new StringBuilder();
        _root = _out;
        int saved = PyOps.MaxLength;
        PyOps.MaxLength = limits.MaxOutputLength;
        try
        {
            Exec(body, scope);
            return _out.ToString();
        }
        finally
        {
            PyOps.MaxLength = saved;
        }
    }

    void Write(string s)
    {
        if (_out.Length + (long)s.Length > limits.MaxOutputLength)
            throw new PyError($"output longer than the limit of {limits.MaxOutputLength} characters (TemplateLimits.MaxOutputLength)");
        _out.Append(s);
    }

    static TemplateException At(PyError e, int line, int column) => new(e.Message, line, column, e.RaisedByTemplate, e);

    Flow Exec(Stmt[] body, Scope scope)
    {
        foreach (var stmt in body)
        {
            Flow flow;
            try
            {
                flow = Exec(stmt, scope);
            }
            catch (PyError e)
            {
                throw At(e, stmt.Line, stmt.Column);
            }
            if (flow != Flow.Normal) return flow;
        }
        return Flow.Normal;
    }

    Flow Exec(Stmt stmt, Scope scope)
    {
        switch (stmt)
        {
            case DataStmt d:
                Write(d.Text);
                return Flow.Normal;
            case PrintStmt p:
                Write(PyOps.Str(Eval(p.Value, scope)));
                return Flow.Normal;
            case IfStmt s:
                foreach (var (test, body) in s.Branches)
                    if (PyOps.Truthy(Eval(test, scope))) return Exec(body, scope);
                return s.Else is null ? Flow.Normal : Exec(s.Else, scope);
            case ForStmt f:
                ExecFor(f, scope, Eval(f.Iterable, scope), 0);
                return Flow.Normal;
            case SetStmt s:
                Assign(s.Target, Eval(s.Value, scope), scope);
                return Flow.Normal;
            case SetBlockStmt s:
                object? captured = Capture(s.Body, scope);
                foreach (var filter in s.Filters) captured = ApplyFilter(filter, captured, scope);
                Assign(s.Target, captured, scope);
                return Flow.Normal;
            case MacroStmt m:
                scope.Set(m.Name, new Macro(m.Name, m.Params, m.Defaults, m.Body, scope));
                return Flow.Normal;
            case CallBlockStmt c:
                var caller = new Macro("caller", c.CallerParams, c.CallerDefaults, c.Body, scope);
                var callee = Eval(c.Call.Callee, scope);
                var (args, kwargs) = EvalArgs(c.Call.Args, scope);
                kwargs ??= new Dictionary<string, object?>(StringComparer.Ordinal);
                kwargs["caller"] = caller;
                Write(PyOps.Str(Invoke(callee, args, kwargs)));
                return Flow.Normal;
            case FilterBlockStmt fb:
                object? text = Capture(fb.Body, scope);
                foreach (var filter in fb.Filters) text = ApplyFilter(filter, text, scope);
                Write(PyOps.Str(text));
                return Flow.Normal;
            case WithStmt w:
                var inner = new Scope(scope);
                foreach (var (target, value) in w.Assignments) Assign(target, Eval(value, scope), inner);
                return Exec(w.Body, inner);
            case LoopControlStmt l:
                return l.IsBreak ? Flow.Break : Flow.Continue;
            case GenerationStmt g:
                int start = _out.Length;
                bool tracked = ReferenceEquals(_out, _root);
                var flow = Exec(g.Body, scope);
                if (tracked) GenerationSpans.Add((start, _out.Length));
                return flow;
            default:
                throw new PyError($"unknown statement {stmt.GetType().Name}");
        }
    }

    string Capture(Stmt[] body, Scope scope)
    {
        var saved = _out;
        _out = new StringBuilder();
        try
        {
            Exec(body, scope);
            return _out.ToString();
        }
        finally
        {
            _out = saved;
        }
    }

    void ExecFor(ForStmt f, Scope scope, object? iterable, int depth)
    {
        if (depth >= limits.MaxRecursionDepth) throw new PyError($"recursion deeper than {limits.MaxRecursionDepth} (TemplateLimits.MaxRecursionDepth)");
        var items = PyOps.ToList(iterable);
        var loopScope = new Scope(scope);
        if (f.Filter is not null)
        {
            var kept = new List<object?>();
            foreach (var item in items)
            {
                CountIteration();
                Assign(f.Target, item, loopScope);
                if (PyOps.Truthy(Eval(f.Filter, loopScope))) kept.Add(item);
            }
            items = kept;
        }
        Func<object?, object?>? recurse = f.Recursive ? next =>
        {
            var saved = _out;
            _out = new StringBuilder();
            try
            {
                ExecFor(f with { Else = null }, scope, next, depth + 1);
                return _out.ToString();
            }
            finally
            {
                _out = saved;
            }
        } : null;
        var loop = new LoopContext(items, depth, recurse);
        loopScope.Set("loop", loop);
        for (int i = 0; i < items.Count; i++)
        {
            CountIteration();
            loop.Index0 = i;
            Assign(f.Target, items[i], loopScope);
            if (Exec(f.Body, loopScope) == Flow.Break) break;
        }
        if (items.Count == 0 && f.Else is not null) Exec(f.Else, scope);
    }

    void CountIteration()
    {
        if (++_iterations > limits.MaxLoopIterations)
            throw new PyError($"more than {limits.MaxLoopIterations} loop iterations (TemplateLimits.MaxLoopIterations)");
    }

    void Assign(Expr target, object? value, Scope scope)
    {
        switch (target)
        {
            case NameExpr n:
                scope.Set(n.Name, value);
                break;
            case ListExpr { IsTuple: true } t:
                var items = PyOps.ToList(value);
                if (items.Count != t.Items.Length)
                    throw new PyError(items.Count > t.Items.Length ? $"too many values to unpack (expected {t.Items.Length})" : $"not enough values to unpack (expected {t.Items.Length}, got {items.Count})");
                for (int i = 0; i < items.Count; i++) Assign(t.Items[i], items[i], scope);
                break;
            case AttrExpr a:
                var owner = Eval(a.Target, scope);
                if (owner is not JinjaNamespace ns) throw new PyError("cannot assign attribute on non-namespace object");
                ns.Attributes[a.Name] = value;
                break;
            default:
                throw new PyError("can't assign to this expression");
        }
    }

    internal object? CallMacroBody(Macro macro, Stmt[] body, Scope scope)
    {
        if (_depth >= limits.MaxRecursionDepth) throw new PyError($"macro '{macro.Name}' nested deeper than {limits.MaxRecursionDepth} (TemplateLimits.MaxRecursionDepth)");
        _depth++;
        try
        {
            return Capture(body, scope);
        }
        finally
        {
            _depth--;
        }
    }

    // Expressions ----------------------------------------------------------------------------------------

    public object? Eval(Expr expr, Scope scope)
    {
        try
        {
            return EvalCore(expr, scope);
        }
        catch (PyError e)
        {
            throw At(e, expr.Line, expr.Column);
        }
    }

    object? EvalCore(Expr expr, Scope scope)
    {
        switch (expr)
        {
            case ConstExpr c:
                return c.Value;
            case NameExpr n:
                return scope.TryGet(n.Name, out var v) ? v : Undefined.Named(n.Name);
            case AttrExpr a:
                return GetAttr(Eval(a.Target, scope), a.Name);
            case ItemExpr i:
                return GetItem(Eval(i.Target, scope), Eval(i.Key, scope));
            case BinaryExpr b:
                return EvalBinary(b, scope);
            case CompareExpr c:
                return EvalCompare(c, scope);
            case UnaryExpr u:
                var operand = Eval(u.Operand, scope);
                return u.Op == "not" ? !PyOps.Truthy(operand) : PyOps.Negate(operand, u.Op == "-");
            case FilterExpr f:
                return ApplyFilter(f, Eval(f.Value!, scope), scope);
            case TestExpr t:
                var (targs, tkwargs) = EvalArgs(t.Args, scope);
                bool result = BuiltinTests.Apply(this, t.Name, Eval(t.Value, scope), targs, tkwargs);
                return t.Negated ? !result : result;
            case CallExpr call:
                var callee = Eval(call.Callee, scope);
                var (args, kwargs) = EvalArgs(call.Args, scope);
                return Invoke(callee, args, kwargs);
            case CondExpr c:
                if (PyOps.Truthy(Eval(c.Test, scope))) return Eval(c.Then, scope);
                return c.Else is null ? new Undefined($"the inline if-expression on line {c.Line} evaluated to false and no else section was defined.") : Eval(c.Else, scope);
            case ListExpr l:
                var items = new object?[l.Items.Length];
                for (int k = 0; k < items.Length; k++) items[k] = Eval(l.Items[k], scope);
                return l.IsTuple ? items : new List<object?>(items);
            case DictExpr d:
                var dict = PyOps.NewDict();
                foreach (var (key, value) in d.Pairs)
                {
                    var k = Eval(key, scope);
                    if (k is null || !PyOps.IsHashable(k)) throw new PyError($"unhashable type: '{PyOps.TypeName(k)}'");
                    dict[k] = Eval(value, scope);
                }
                return dict;
            case SliceExpr s:
                return PyOps.Slice(Eval(s.Target, scope), s.Start is null ? null : Eval(s.Start, scope), s.Stop is null ? null : Eval(s.Stop, scope), s.Step is null ? null : Eval(s.Step, scope));
            default:
                throw new PyError($"unknown expression {expr.GetType().Name}");
        }
    }

    object? EvalBinary(BinaryExpr b, Scope scope)
    {
        var left = Eval(b.Left, scope);
        switch (b.Op)
        {
            case "and": return PyOps.Truthy(left) ? Eval(b.Right, scope) : left;
            case "or": return PyOps.Truthy(left) ? left : Eval(b.Right, scope);
            case "~":
                string s = string.Concat(PyOps.Str(left), PyOps.Str(Eval(b.Right, scope)));
                return limits.CheckString(s);
            default: return PyOps.Binary(b.Op, left, Eval(b.Right, scope), limits);
        }
    }

    object? EvalCompare(CompareExpr c, Scope scope)
    {
        var left = Eval(c.First, scope);
        foreach (var (op, operand) in c.Rest)
        {
            var right = Eval(operand, scope);
            bool ok = op switch
            {
                "==" => PyOps.Equal(left, right),
                "!=" => !PyOps.Equal(left, right),
                "<" => PyOps.Compare(left, right, op) < 0,
                ">" => PyOps.Compare(left, right, op) > 0,
                "<=" => PyOps.Compare(left, right, op) <= 0,
                ">=" => PyOps.Compare(left, right, op) >= 0,
                "in" => PyOps.Contains(right, left),
                _ => !PyOps.Contains(right, left),
            };
            if (!ok) return false;
            left = right;
        }
        return true;
    }

    object? ApplyFilter(FilterExpr f, object? value, Scope scope)
    {
        try
        {
            var (args, kwargs) = EvalArgs(f.Args, scope);
            return BuiltinFilters.Apply(this, f.Name, value, args, kwargs);
        }
        catch (PyError e)
        {
            throw At(e, f.Line, f.Column);
        }
    }

    (List<object?> Args, Dictionary<string, object?>? Kwargs) EvalArgs(Arguments a, Scope scope)
    {
        var args = new List<object?>(a.Positional.Length);
        foreach (var p in a.Positional) args.Add(Eval(p, scope));
        if (a.Star is not null) args.AddRange(PyOps.Iterate(Eval(a.Star, scope)));
        Dictionary<string, object?>? kwargs = null;
        if (a.Named.Length > 0 || a.DoubleStar is not null)
        {
            kwargs = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (name, value) in a.Named) kwargs[name] = Eval(value, scope);
            if (a.DoubleStar is not null)
            {
                if (Eval(a.DoubleStar, scope) is not Dictionary<object, object?> d) throw new PyError("argument after ** must be a mapping");
                foreach (var (k, v) in d) kwargs[k as string ?? throw new PyError("keywords must be strings")] = v;
            }
        }
        return (args, kwargs);
    }

    public object? Invoke(object? callee, List<object?> args, Dictionary<string, object?>? kwargs) => callee switch
    {
        PyCallable c => c.Call(this, args, kwargs),
        LoopContext { Recurse: { } recurse } => args.Count == 1 ? recurse(args[0]) : throw new PyError("loop() takes exactly one argument"),
        Undefined u => throw u.Fail(),
        _ => throw new PyError($"'{PyOps.TypeName(callee)}' object is not callable"),
    };

    /// <summary><c>obj.name</c> as jinja2's sandbox does it: a safe attribute (method) first, then the item.</summary>
    public static object? GetAttr(object? target, string name)
    {
        switch (target)
        {
            case Undefined u: throw u.Fail();
            case LoopContext loop:
                return loop.GetAttribute(name);
            case JinjaNamespace ns:
                return ns.Attributes.TryGetValue(name, out var a) ? a : Undefined.NoAttribute(target, name);
        }
        // jinja2's sandbox refuses underscore attributes (__class__, __globals__, …).
        if (name.StartsWith('_'))
            return target is Dictionary<object, object?> items && items.TryGetValue(name, out var hidden) ? hidden : new Undefined($"access to attribute '{name}' of '{PyOps.TypeName(target)}' object is unsafe.");
        if (PyMethods.Bind(target, name) is { } method) return method;
        if (target is Dictionary<object, object?> d && d.TryGetValue(name, out var value)) return value;
        return Undefined.NoAttribute(target, name);
    }

    /// <summary><c>obj[key]</c> as jinja2 does it: the item first, then (for a string key) the attribute.</summary>
    public static object? GetItem(object? target, object? key)
    {
        if (target is Undefined u) throw u.Fail();
        if (PyOps.TryGetItem(target, key, out var value)) return value;
        return key is string name ? GetAttr(target, name) : Undefined.NoItem(target, key);
    }
}
