using System.IO.Compression;
using ZstdSharp;

namespace Prem.Llm.Data;

/// <summary>
/// Finds and opens corpus files. A folder is walked recursively; its files are taken in ordinal order
/// of their relative paths (with "/" separators) so the order, and with it every output byte, is the
/// same on every machine. Hidden files (names starting with ".") are ignored.
/// Supported: <c>.jsonl</c>, <c>.txt</c>, <c>.text</c>, <c>.md</c>, each optionally compressed as
/// <c>.gz</c> (gzip) or <c>.zst</c>/<c>.zstd</c> (Zstandard).
/// </summary>
internal static class CorpusFiles
{
    /// <summary>The corpus files under <paramref name="input"/> (a file or a folder), in processing order.</summary>
    /// <exception cref="DataFormatException">The input is missing, empty, or holds an unsupported file.</exception>
    public static IReadOnlyList<string> Enumerate(string input)
    {
        ArgumentException.ThrowIfNullOrEmpty(input);
        if (File.Exists(input))
        {
            KindOf(input);
            return [Path.GetFullPath(input)];
        }
        if (!Directory.Exists(input)) throw new DataFormatException("input file or folder not found", input);
        var root = Path.GetFullPath(input);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar).Any(p => p.StartsWith('.')))
            .Select(f => (Relative: Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'), Full: f))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .Select(f => f.Full)
            .ToList();
        if (files.Count == 0) throw new DataFormatException("input folder holds no corpus files", input);
        foreach (var f in files) KindOf(f);
        return files;
    }

    /// <summary>The kind of <paramref name="path"/> from its extension.</summary>
    /// <exception cref="DataFormatException">The extension is not supported.</exception>
    public static CorpusFileKind KindOf(string path)
    {
        var name = StripCompression(Path.GetFileName(path)).ToLowerInvariant();
        if (name.EndsWith(".jsonl", StringComparison.Ordinal)) return CorpusFileKind.Jsonl;
        if (name.EndsWith(".txt", StringComparison.Ordinal) || name.EndsWith(".text", StringComparison.Ordinal)
            || name.EndsWith(".md", StringComparison.Ordinal)) return CorpusFileKind.Text;
        throw new DataFormatException(
            "unsupported corpus file type (expected .jsonl, .txt, .text or .md, optionally .gz/.zst)", path);
    }

    /// <summary>Opens <paramref name="path"/> for reading, decompressing by extension.</summary>
    public static Stream Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        var lower = path.ToLowerInvariant();
        if (lower.EndsWith(".gz", StringComparison.Ordinal)) return new GZipStream(file, CompressionMode.Decompress);
        if (lower.EndsWith(".zst", StringComparison.Ordinal) || lower.EndsWith(".zstd", StringComparison.Ordinal))
            return new DecompressionStream(file);
        return file;
    }

    private static string StripCompression(string name)
    {
        foreach (var ext in (string[])[".gz", ".zst", ".zstd"])
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) return name[..^ext.Length];
        return name;
    }
}
