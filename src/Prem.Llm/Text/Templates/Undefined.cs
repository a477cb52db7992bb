namespace Prem.Llm.Text.Templates;

/// <summary>
/// jinja2's default <c>Undefined</c>: prints as "", is false, iterates as empty, has length 0 and equals
/// only another undefined; attribute or item access, arithmetic, ordering and calls raise
/// <c>UndefinedError</c> with <see cref="Message"/>.
/// </summary>
internal sealed class Undefined(string message)
{
    public string Message { get; } = message;

    public static Undefined Named(string name) => new($"'{name}' is undefined");

    public static Undefined NoAttribute(object? owner, string name) => new($"'{PyOps.TypeName(owner)} object' has no attribute '{name}'");

    public static Undefined NoItem(object? owner, object? key) => new($"'{PyOps.TypeName(owner)} object' has no item {PyOps.Repr(key)}");

    public PyError Fail() => new(Message);
}
