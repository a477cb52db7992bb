namespace Prem.Llm.Text.Templates;

/// <summary>
/// A chat template failed to parse or to render: a syntax error, an undefined value used where jinja2
/// raises, a type error, a limit reached, or the template's own <c>raise_exception</c>. The message
/// names the line and column in the template source.
/// </summary>
public sealed class TemplateException : Exception
{
    /// <summary>Creates the exception for a problem at <paramref name="line"/>:<paramref name="column"/> (1-based; 0 when unknown).</summary>
    public TemplateException(string message, int line, int column, bool raisedByTemplate = false, Exception? inner = null)
        : base(line > 0 ? $"{message} (template line {line}, column {column})" : message, inner)
    {
        Reason = message;
        Line = line;
        Column = column;
        RaisedByTemplate = raisedByTemplate;
    }

    /// <summary>The message without the position.</summary>
    public string Reason { get; }

    /// <summary>The 1-based line in the template source, or 0.</summary>
    public int Line { get; }

    /// <summary>The 1-based column in the template source, or 0.</summary>
    public int Column { get; }

    /// <summary>True when the template itself raised (<c>raise_exception(message)</c>).</summary>
    public bool RaisedByTemplate { get; }
}
