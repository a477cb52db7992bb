namespace Prem.Llm.Data;

/// <summary>
/// Bad input to the data pipeline: a malformed corpus line, an unsupported file, a damaged shard or
/// manifest. <see cref="FilePath"/> and <see cref="Line"/> say where, when known.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception; the location is prefixed to <paramref name="message"/>.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="filePath">The file at fault, or null.</param>
    /// <param name="line">The 1-based line at fault, or null.</param>
    /// <param name="inner">The underlying error, or null.</param>
    public DataFormatException(string message, string? filePath = null, long? line = null, Exception? inner = null)
        : base(Format(message, filePath, line), inner)
    {
        FilePath = filePath;
        Line = line;
    }

    /// <summary>The file at fault, or null when the error is not tied to a file.</summary>
    public string? FilePath { get; }

    /// <summary>The 1-based line at fault, or null when the error is not tied to a line.</summary>
    public long? Line { get; }

    private static string Format(string message, string? filePath, long? line) => (filePath, line) switch
    {
        (null, _) => message,
        (_, null) => $"{filePath}: {message}",
        _ => $"{filePath}:{line}: {message}",
    };
}
