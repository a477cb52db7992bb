using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

/// <summary>Paths to the tokenizer fixtures in tests/Prem.Llm.Tests/Data/tokenizers and shared loaded tokenizers.</summary>
internal static class TextTestData
{
    static readonly Lazy<string> _root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "Prem.Llm.Tests", "Data", "tokenizers");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("tests/Prem.Llm.Tests/Data/tokenizers not found above " + AppContext.BaseDirectory);
    });

    static readonly Lazy<SentencePieceTextTokenizer> _llama2Lazy = new(() => SentencePieceTextTokenizer.FromFile(Llama2Model));
    static readonly Lazy<TiktokenTextTokenizer> _llama3Lazy = new(() => TiktokenTextTokenizer.FromFiles(Llama3Tiktoken, Llama3Specials));
    static readonly Lazy<SentencePieceTextTokenizer> _premChatLazy = new(() => (SentencePieceTextTokenizer)TokenizerLoader.Load(PremChatFolder));

    /// <summary>Full path of a file under the tokenizer data folder.</summary>
    public static string File(params string[] parts) => Path.Combine([_root.Value, .. parts]);

    /// <summary>The Llama-2 tokenizer.model.</summary>
    public static string Llama2Model => File("llama2", "tokenizer.model");

    /// <summary>The stories260K tokenizer.model (512 pieces, remove_extra_whitespaces on).</summary>
    public static string StoriesModel => File("stories260K", "tokenizer.model");

    /// <summary>The Llama-3 tiktoken file.</summary>
    public static string Llama3Tiktoken => File("llama3", "llama3.tiktoken");

    /// <summary>The Llama-3 special tokens.</summary>
    public static string Llama3Specials => File("llama3", "special_tokens.json");

    /// <summary>A Prem-1B-chat-like HF folder: the Llama-2 model plus four added tokens.</summary>
    public static string PremChatFolder => File("prem-1b-chat");

    /// <summary>The Llama-2 tokenizer, loaded once for all tests.</summary>
    public static SentencePieceTextTokenizer Llama2 => _llama2Lazy.Value;

    /// <summary>The Llama-3 tokenizer, loaded once for all tests.</summary>
    public static TiktokenTextTokenizer Llama3 => _llama3Lazy.Value;

    /// <summary>The Prem-1B-chat fixture tokenizer, loaded once for all tests.</summary>
    public static SentencePieceTextTokenizer PremChat => _premChatLazy.Value;

    /// <summary>Rows of a golden JSONL file: (id, text, ids).</summary>
    public static List<(int Id, string Text, int[] Ids)> Golden(string fileName)
    {
        var rows = new List<(int, string, int[])>();
        foreach (string line in System.IO.File.ReadLines(File(fileName)))
        {
            if (line.Length == 0) continue;
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            rows.Add((r.GetProperty("id").GetInt32(), r.GetProperty("text").GetString()!,
                r.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray()));
        }
        return rows;
    }
}
