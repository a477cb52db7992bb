namespace Prem.Llm.Adapters;

/// <summary>
/// A LoRA configuration, adapter folder or adapter file is invalid or does not fit the model. The
/// message names the file (when one is concerned), the field or tensor key, and what is wrong.
/// </summary>
public sealed class LoraException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="problem">What is wrong, naming the field or key.</param>
    /// <param name="file">The file concerned, or null.</param>
    public LoraException(string problem, string? file = null)
        : base(file is null ? problem : $"{file}: {problem}")
    {
        File = file;
    }

    /// <summary>The file concerned, or null.</summary>
    public string? File { get; }
}
