namespace Prem.Llm.DocsChat;

/// <summary>One text file of the folder: its name relative to the folder and its text.</summary>
public sealed record Document(string Name, string Text)
{
    /// <summary>The .txt and .md files under <paramref name="folder"/> (recursively), in name order.</summary>
    public static IReadOnlyList<Document> ReadFolder(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"documents folder not found: {folder}");
        return [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".md", StringComparison.OrdinalIgnoreCase))
            .Select(f => new Document(Path.GetRelativePath(folder, f), File.ReadAllText(f)))
            .OrderBy(d => d.Name, StringComparer.Ordinal)];
    }
}
