namespace Prem.Llm.Modeling;

/// <summary>An invalid or inconsistent model configuration; the message names the field and value.</summary>
public sealed class LlamaConfigException : Exception
{
    /// <summary>Creates the exception for <paramref name="field"/>.</summary>
    public LlamaConfigException(string field, string message, string? file = null)
        : base(file is null ? $"{field}: {message}" : $"{file}: {field}: {message}")
    {
        Field = field;
        File = file;
    }

    /// <summary>The config field at fault (HF spelling, e.g. "num_key_value_heads").</summary>
    public string Field { get; }

    /// <summary>The config file, when the config came from one.</summary>
    public string? File { get; }
}
