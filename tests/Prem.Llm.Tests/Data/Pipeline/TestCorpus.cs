using System.IO.Compression;
using System.Text;
using System.Text.Json;
using ZstdSharp;

namespace Prem.Llm.Tests.Data;

/// <summary>
/// Writes small corpora in every supported format and remembers, independently of the code under
/// test, which documents they hold in which order.
/// </summary>
public static class TestCorpus
{
    public static void WriteJsonl(string path, IEnumerable<string> lines) => WriteBytes(path, Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));

    public static string JsonLine(string text, string field = "text") => JsonSerializer.Serialize(new Dictionary<string, string> { [field] = text });

    public static void WriteBytes(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (path.EndsWith(".gz", StringComparison.Ordinal))
        {
            using var f = File.Create(path);
            using var z = new GZipStream(f, CompressionLevel.Fastest);
            z.Write(bytes);
        }
        else if (path.EndsWith(".zst", StringComparison.Ordinal))
        {
            using var c = new Compressor(3);
            File.WriteAllBytes(path, c.Wrap(bytes).ToArray());
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }
    }

    /// <summary>Deterministic pseudo-prose of a few words to a few hundred.</summary>
    public static string Prose(int i)
    {
        string[] words = ["the", "river", "ran", "past", "an", "old", "mill", "where", "children", "played", "all", "summer", "naïve", "café", "日本"];
        var sb = new StringBuilder();
        int n = 3 + (i * 37 % 90);
        for (int w = 0; w < n; w++) sb.Append(w == 0 ? "" : " ").Append(words[(i * 7 + w * 3) % words.Length]);
        return sb.Append('.').ToString();
    }

    /// <summary>
    /// A folder with gzip, zstd and plain JSONL and text files (one in a subfolder), returning the
    /// document texts in the order the folder is processed (ordinal order of relative paths).
    /// </summary>
    public static List<string> WriteMixedFolder(string folder, int perFile = 40)
    {
        var expected = new List<string>();
        string[] Docs(int file) => Enumerable.Range(file * 1000, perFile).Select(Prose).ToArray();
        // Processing order: a.jsonl.gz, b.jsonl.zst, c.txt, d.txt.zst, sub/e.jsonl
        var a = Docs(1); WriteJsonl(Path.Combine(folder, "a.jsonl.gz"), a.Select(t => JsonLine(t))); expected.AddRange(a);
        var b = Docs(2); WriteJsonl(Path.Combine(folder, "b.jsonl.zst"), b.Select(t => JsonLine(t))); expected.AddRange(b);
        var c = string.Join("\n", Docs(3)); WriteBytes(Path.Combine(folder, "c.txt"), Encoding.UTF8.GetBytes(c)); expected.Add(c);
        var d = string.Join("\n", Docs(4)); WriteBytes(Path.Combine(folder, "d.txt.zst"), Encoding.UTF8.GetBytes(d)); expected.Add(d);
        var e = Docs(5); WriteJsonl(Path.Combine(folder, "sub", "e.jsonl"), e.Select(t => JsonLine(t))); expected.AddRange(e);
        return expected;
    }
}
