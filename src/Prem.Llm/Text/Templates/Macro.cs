namespace Prem.Llm.Text.Templates;

/// <summary>A macro defined by <c>{% macro %}</c> (or the <c>caller</c> of a call block): parameters, defaults, body and the scope it closes over.</summary>
internal sealed class Macro(string name, string[] parameters, Expr?[] defaults, Stmt[] body, Scope closure) : PyCallable(name)
{
    public override object? Call(Interpreter interpreter, List<object?> args, Dictionary<string, object?>? kwargs)
    {
        var scope = new Scope(closure);
        var extra = new List<object?>();
        for (int i = 0; i < args.Count; i++)
        {
            if (i < parameters.Length) scope.Set(parameters[i], args[i]);
            else extra.Add(args[i]);
        }
        var extraKw = PyOps.NewDict();
        if (kwargs is not null)
        {
            foreach (var (k, v) in kwargs)
            {
                if (k == "caller")
                {
                    scope.Set("caller", v);
                    continue;
                }
                int p = Array.IndexOf(parameters, k);
                if (p >= 0 && p < args.Count) throw new PyError($"macro '{Name}' got multiple values for argument '{k}'");
                if (p >= 0) scope.Set(k, v);
                else extraKw[k] = v;
            }
        }
        for (int i = 0; i < parameters.Length; i++)
        {
            if (scope.HasLocal(parameters[i])) continue;
            scope.Set(parameters[i], defaults[i] is { } d ? interpreter.Eval(d, scope) : Undefined.Named(parameters[i]));
        }
        scope.Set("varargs", extra.ToArray());
        scope.Set("kwargs", extraKw);
        return interpreter.CallMacroBody(this, body, scope);
    }
}
