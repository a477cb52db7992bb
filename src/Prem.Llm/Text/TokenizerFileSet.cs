namespace Prem.Llm.Text;

/// <summary>
/// The files that make up a tokenizer in an HF folder, by name: what a model export and <c>prem prepare</c>
/// copy so the folder they write loads on its own.
/// </summary>
internal static class TokenizerFileSet
{
    /// <summary>Tokenizer files copied by name when present; <c>*.tiktoken</c> files are copied too.</summary>
    internal static readonly IReadOnlyList<string> Names =
    [
        "tokenizer.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
        "added_tokens.json", "generation_config.json",
    ];

    /// <summary>True for a file name that belongs to a tokenizer.</summary>
    internal static bool Contains(string fileName) =>
        Names.Contains(fileName, StringComparer.Ordinal) || fileName.EndsWith(".tiktoken", StringComparison.Ordinal);

    /// <summary>The file itself, or the tokenizer files of a folder (ordinal order); none when the path does not exist.</summary>
    internal static List<string> In(string fileOrFolder) =>
        File.Exists(fileOrFolder) ? [fileOrFolder]
        : !Directory.Exists(fileOrFolder) ? []
        : Directory.EnumerateFiles(fileOrFolder).Where(f => Contains(Path.GetFileName(f))).Order(StringComparer.Ordinal).ToList();
}
