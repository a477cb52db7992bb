namespace Prem.Llm.Training;

/// <summary>
/// The one exception type of the training area: bad options, a run that cannot continue (too many
/// non-finite steps), a missing or malformed checkpoint. <see cref="Path"/> names the file or folder
/// when one is involved.
/// </summary>
public sealed class TrainingException : Exception
{
    /// <summary>Creates an exception; the message is prefixed with the path when given.</summary>
    public TrainingException(string message, string? path = null, Exception? innerException = null)
        : base(path is null ? message : $"{path}: {message}", innerException) => Path = path;

    /// <summary>The file or folder the error refers to, if any.</summary>
    public string? Path { get; }
}
