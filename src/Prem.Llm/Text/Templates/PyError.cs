namespace Prem.Llm.Text.Templates;

/// <summary>
/// A runtime error raised by a value operation (type error, undefined value, limit); the interpreter
/// turns it into a <see cref="TemplateException"/> at the position of the innermost expression.
/// </summary>
internal sealed class PyError(string message, bool raisedByTemplate = false) : Exception(message)
{
    public bool RaisedByTemplate { get; } = raisedByTemplate;
}
