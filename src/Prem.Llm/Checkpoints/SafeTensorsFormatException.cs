namespace Prem.Llm.Checkpoints;

/// <summary>
/// A safetensors file, a sharded checkpoint index, or a checkpoint folder is malformed, truncated
/// or inconsistent. The message names the file, the tensor (when one is concerned) and what is wrong.
/// </summary>
public sealed class SafeTensorsFormatException : Exception
{
    /// <summary>Creates the exception for a problem in <paramref name="filePath"/>.</summary>
    /// <param name="filePath">The file that is malformed.</param>
    /// <param name="tensorName">The tensor concerned, or <c>null</c> when the problem is file-wide.</param>
    /// <param name="problem">What is wrong, as a sentence fragment without the file name.</param>
    /// <param name="inner">The underlying exception, if any (e.g. a JSON syntax error).</param>
    public SafeTensorsFormatException(string filePath, string? tensorName, string problem, Exception? inner = null)
        : base(Compose(filePath, tensorName, problem), inner)
    {
        FilePath = filePath;
        TensorName = tensorName;
        Problem = problem;
    }

    /// <summary>The file that is malformed.</summary>
    public string FilePath { get; }

    /// <summary>The tensor concerned, or <c>null</c> when the problem is file-wide.</summary>
    public string? TensorName { get; }

    /// <summary>What is wrong, without the file and tensor names.</summary>
    public string Problem { get; }

    private static string Compose(string filePath, string? tensorName, string problem)
    {
        // Names come from untrusted files: cap their length so a hostile header cannot make a
        // multi-megabyte exception message.
        var where = tensorName is null ? "" : $", tensor '{Shorten(tensorName)}'";
        return $"Invalid safetensors data in '{filePath}'{where}: {problem}";
    }

    internal static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
