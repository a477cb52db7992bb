namespace Prem.Llm.Text.Templates;

/// <summary>Something a template can call: a global function, a bound string/dict method, a macro.</summary>
internal abstract class PyCallable(string name)
{
    public string Name { get; } = name;

    public abstract object? Call(Interpreter interpreter, List<object?> args, Dictionary<string, object?>? kwargs);
}

/// <summary>A built-in function (global or bound method) backed by a delegate.</summary>
internal sealed class BuiltinFunction(string name, Func<Interpreter, List<object?>, Dictionary<string, object?>?, object?> body) : PyCallable(name)
{
    public override object? Call(Interpreter interpreter, List<object?> args, Dictionary<string, object?>? kwargs) => body(interpreter, args, kwargs);
}
