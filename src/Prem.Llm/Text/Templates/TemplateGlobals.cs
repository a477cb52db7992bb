namespace Prem.Llm.Text.Templates;

/// <summary>
/// The functions every render sees: jinja2's <c>range</c> (capped at 100,000 items like its sandbox),
/// <c>dict</c>, <c>namespace</c>, and transformers' <c>raise_exception(message)</c> and
/// <c>strftime_now(format)</c>.
/// </summary>
internal static class TemplateGlobals
{
    const int MaxRange = 100_000;

    public static void AddTo(Scope scope, Func<DateTime> now)
    {
        scope.Set("range", new BuiltinFunction("range", (_, args, _) => Range(args)));
        scope.Set("dict", new BuiltinFunction("dict", (_, args, kwargs) =>
        {
            var d = PyOps.NewDict();
            if (args.Count > 1) throw new PyError("dict expected at most 1 argument");
            if (args.Count == 1)
            {
                if (args[0] is Dictionary<object, object?> source) foreach (var (k, v) in source) d[k] = v;
                else foreach (var pair in PyOps.Iterate(args[0]))
                {
                    var kv = PyOps.ToList(pair);
                    if (kv.Count != 2 || kv[0] is null || !PyOps.IsHashable(kv[0])) throw new PyError("dictionary update sequence element has the wrong length or an unhashable key");
                    d[kv[0]!] = kv[1];
                }
            }
            if (kwargs is not null) foreach (var (k, v) in kwargs) d[k] = v;
            return d;
        }));
        scope.Set("namespace", new BuiltinFunction("namespace", (_, args, kwargs) =>
        {
            var ns = new JinjaNamespace();
            foreach (var a in args)
            {
                if (a is not Dictionary<object, object?> d) throw new PyError("namespace() positional argument must be a mapping");
                foreach (var (k, v) in d) ns.Attributes[k as string ?? throw new PyError("namespace keys must be strings")] = v;
            }
            if (kwargs is not null) foreach (var (k, v) in kwargs) ns.Attributes[k] = v;
            return ns;
        }));
        scope.Set("raise_exception", new BuiltinFunction("raise_exception", (_, args, _) =>
            throw new PyError(args.Count > 0 ? PyOps.Str(args[0]) : "raise_exception() called", raisedByTemplate: true)));
        scope.Set("strftime_now", new BuiltinFunction("strftime_now", (_, args, _) =>
            Strftime.Format(now(), args.Count == 1 && args[0] is string f ? f : throw new PyError("strftime_now() takes one string argument"))));
    }

    static List<object?> Range(List<object?> args)
    {
        long Int(object? v) => v switch
        {
            long l => l,
            bool b => b ? 1 : 0,
            _ => throw new PyError($"'{PyOps.TypeName(v)}' object cannot be interpreted as an integer"),
        };
        long start = 0, stop, step = 1;
        switch (args.Count)
        {
            case 1: stop = Int(args[0]); break;
            case 2: start = Int(args[0]); stop = Int(args[1]); break;
            case 3: start = Int(args[0]); stop = Int(args[1]); step = Int(args[2]); break;
            default: throw new PyError($"range expected 1 to 3 arguments, got {args.Count}");
        }
        if (step == 0) throw new PyError("range() arg 3 must not be zero");
        var result = new List<object?>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            if (result.Count >= MaxRange) throw new PyError($"Range too big. The sandbox blocks ranges larger than MAX_RANGE ({MaxRange}).");
            result.Add(i);
        }
        return result;
    }
}
