namespace Prem.Llm.Evaluation.Tasks;

/// <summary>
/// The one exception type of the evaluation area: unknown task, missing data file, malformed row,
/// a request that does not fit the model's window. <see cref="File"/> and <see cref="Line"/> say
/// where the bad input is when it came from a file.
/// </summary>
public sealed class EvaluationException : Exception
{
    /// <summary>Creates an exception; the message is prefixed with <c>file:line: </c> when they are known.</summary>
    public EvaluationException(string message, string? file = null, int? line = null, Exception? innerException = null)
        : base(Format(message, file, line), innerException)
    {
        File = file;
        Line = line;
    }

    /// <summary>The data file the error refers to, if any.</summary>
    public string? File { get; }

    /// <summary>The 1-based line in <see cref="File"/>, if any.</summary>
    public int? Line { get; }

    private static string Format(string message, string? file, int? line) =>
        file is null ? message : line is null ? $"{file}: {message}" : $"{file}:{line}: {message}";
}
