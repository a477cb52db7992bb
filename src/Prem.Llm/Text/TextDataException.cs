namespace Prem.Llm.Text;

/// <summary>
/// The one error type of the text area: a malformed tokenizer file, a bad JSON field, or a
/// conversation that cannot be encoded. <see cref="Source"/> names the file or record.
/// </summary>
public sealed class TextDataException : Exception
{
    /// <summary>Creates the error for <paramref name="source"/> (a file path or record name).</summary>
    public TextDataException(string source, string message, string? field = null, long? line = null, Exception? inner = null)
        : base(Format(source, message, field, line), inner)
    {
        Source = source;
        Field = field;
        Line = line;
    }

    /// <summary>The file path or record name the error is about.</summary>
    public new string Source { get; }

    /// <summary>The JSON field or proto field at fault, when there is one.</summary>
    public string? Field { get; }

    /// <summary>The 1-based line number at fault, when there is one.</summary>
    public long? Line { get; }

    static string Format(string source, string message, string? field, long? line)
    {
        string where = source;
        if (line is not null) where += $":{line}";
        if (field is not null) where += $" (field '{field}')";
        return $"{where}: {message}";
    }
}
