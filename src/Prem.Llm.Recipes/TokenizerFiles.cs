namespace Prem.Llm.Recipes;

/// <summary>Copies a tokenizer next to an exported model so the folder loads on its own.</summary>
public static class TokenizerFiles
{
    /// <summary>
    /// Copies <paramref name="source"/> (a tokenizer file, or a folder's tokenizer files: <c>tokenizer*</c>,
    /// <c>special_tokens_map.json</c>, <c>added_tokens.json</c>, <c>*.tiktoken</c>, <c>generation_config.json</c>)
    /// into <paramref name="destination"/>. Model files (config.json, weights) are never copied.
    /// </summary>
    public static void CopyTo(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        if (File.Exists(source))
        {
            File.Copy(source, Path.Combine(destination, Path.GetFileName(source)), overwrite: true);
            return;
        }
        if (!Directory.Exists(source)) throw new DirectoryNotFoundException($"Tokenizer not found: {source}");
        foreach (var file in Directory.EnumerateFiles(source).Where(IsTokenizerFile))
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)), overwrite: true);
    }

    static bool IsTokenizerFile(string path)
    {
        string name = Path.GetFileName(path);
        return name.StartsWith("tokenizer", StringComparison.Ordinal) || name.EndsWith(".tiktoken", StringComparison.Ordinal)
            || name is "special_tokens_map.json" or "added_tokens.json" or "generation_config.json";
    }
}
