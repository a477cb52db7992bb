namespace Prem.Llm.Gguf;

/// <summary>
/// A GGUF file is malformed, truncated, or holds something this library cannot read or write (a
/// quantisation type, an architecture, a tokenizer). The message names the file and the field or tensor.
/// </summary>
public sealed class GgufFormatException : Exception
{
    /// <summary>Creates the exception for a problem in <paramref name="filePath"/>.</summary>
    /// <param name="filePath">The file concerned.</param>
    /// <param name="field">The metadata key or tensor name concerned, or null when file-wide.</param>
    /// <param name="problem">What is wrong, without the file name.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public GgufFormatException(string filePath, string? field, string problem, Exception? inner = null)
        : base($"GGUF file '{filePath}'{(field is null ? "" : $", {Shorten(field)}")}: {problem}", inner)
    {
        FilePath = filePath;
        Field = field;
        Problem = problem;
    }

    /// <summary>The file concerned.</summary>
    public string FilePath { get; }

    /// <summary>The metadata key or tensor concerned, or null when file-wide.</summary>
    public string? Field { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }

    // Names come from untrusted files: cap them so a hostile header cannot make a huge message.
    internal static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
