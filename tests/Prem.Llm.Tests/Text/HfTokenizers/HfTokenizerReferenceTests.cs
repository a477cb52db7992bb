using System.Text.Json.Nodes;
using Prem.Llm.Text;
using RustTokenizer = Tokenizers.DotNet.Tokenizer;

namespace Prem.Llm.Tests.Text;

/// <summary>
/// Each component against HF's Rust tokenizers itself (through the Tokenizers.DotNet wrapper): a real
/// tokenizer.json with one component swapped for a variant is loaded by both, and every string must give
/// the same ids and the same decode. The strings are the golden texts plus edge cases.
/// </summary>
public class HfTokenizerReferenceTests
{
    static readonly string[] _edgeCases =
    [
        "", " ", "  leading", "trailing  ", "\t\n\r\n", "hello   world", "İstanbul ÇAĞ", "ＡＢＣ①½ ﬁ", "e\u0301 café", "don't I'LL",
        "<|im_start|>user\nhi<|im_end|>", "a<|im_end|>b", "x <|im_end|>  y", " <|im_start|> ", "<think>ok</think>", "a<think>b",
        "🏳️‍🌈 𝐀𝐁𝐂 math", "123456789 1,000.5", "___--..!!", "▁already▁meta", "tab\there", "中文字符テスト한국어", "ǅ ß ẞ Σσς",
    ];

    static readonly Lazy<List<string>> _texts = new(() => [.. HfTestData.Golden("llama3_1").Select(r => r.Text).Where((_, i) => i % 4 == 0), .. _edgeCases]);

    public static TheoryData<string, string, string> Variants => new()
    {
        // base, JSON path to replace, replacement
        { "qwen3", "pre_tokenizer", """{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"String":" "},"behavior":"Removed","invert":false},{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false}]}""" },
        { "qwen3", "pre_tokenizer", """{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":"\\s+"},"behavior":"MergedWithPrevious","invert":false},{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false}]}""" },
        { "qwen3", "pre_tokenizer", """{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":"\\s+"},"behavior":"MergedWithNext","invert":false},{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false}]}""" },
        { "qwen3", "pre_tokenizer", """{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":"\\w+|[^\\w\\s]+"},"behavior":"Contiguous","invert":true},{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false}]}""" },
        { "qwen3", "pre_tokenizer", """{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":"\\p{N}+"},"behavior":"Removed","invert":true},{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false}]}""" },
        { "qwen3", "pre_tokenizer", """{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":"[a-z]++|\\d"},"behavior":"Isolated","invert":false},{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false}]}""" },
        { "qwen3", "pre_tokenizer", """{"type":"Sequence","pretokenizers":[{"type":"Whitespace"},{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false}]}""" },
        { "qwen3", "pre_tokenizer", """{"type":"Sequence","pretokenizers":[{"type":"WhitespaceSplit"},{"type":"Punctuation","behavior":"Isolated"},{"type":"Digits","individual_digits":true},{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false}]}""" },
        { "qwen3", "pre_tokenizer", """{"type":"Sequence","pretokenizers":[{"type":"Punctuation","behavior":"MergedWithNext"},{"type":"Digits","individual_digits":false},{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":false,"use_regex":true}]}""" },
        { "qwen3", "pre_tokenizer", """{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true}""" },
        { "qwen3", "pre_tokenizer", """{"type":"Sequence","pretokenizers":[{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":true},{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false}]}""" },
        { "qwen3", "pre_tokenizer", """{"type":"Sequence","pretokenizers":[{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":false},{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false}]}""" },
        { "qwen3", "normalizer", """{"type":"NFKC"}""" },
        { "qwen3", "normalizer", """{"type":"Sequence","normalizers":[{"type":"NFD"},{"type":"StripAccents"},{"type":"Lowercase"}]}""" },
        { "qwen3", "normalizer", """{"type":"Sequence","normalizers":[{"type":"Strip","strip_left":true,"strip_right":true},{"type":"Prepend","prepend":"> "},{"type":"Replace","pattern":{"Regex":"\\d+"},"content":"#"}]}""" },
        { "qwen3", "added_tokens", """[{"id":151643,"content":"<|endoftext|>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},{"id":151644,"content":"<|im_start|>","single_word":false,"lstrip":true,"rstrip":true,"normalized":false,"special":true},{"id":151645,"content":"<|im_end|>","single_word":false,"lstrip":true,"rstrip":false,"normalized":true,"special":true},{"id":151667,"content":"<think>","single_word":true,"lstrip":false,"rstrip":false,"normalized":true,"special":false},{"id":151668,"content":"</think>","single_word":false,"lstrip":false,"rstrip":true,"normalized":false,"special":false}]""" },
        { "qwen3", "model.ignore_merges", "true" },
        { "lenml-llama2", "model.byte_fallback", "false" },
        { "lenml-llama2", "model.fuse_unk", "false" },
        { "lenml-llama2", "normalizer", "null" },
        { "lenml-llama2", "pre_tokenizer", """{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":false}""" },
        { "lenml-llama2", "decoder", """{"type":"Sequence","decoders":[{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true},{"type":"ByteFallback"},{"type":"Fuse"}]}""" },
        { "lenml-llama2", "decoder", """{"type":"Sequence","decoders":[{"type":"Replace","pattern":{"String":"▁"},"content":" "},{"type":"Strip","content":" ","start":1,"stop":0},{"type":"ByteFallback"},{"type":"Fuse"}]}""" },
        { "lenml-llama2", "decoder", "null" },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Variant_MatchesRustTokenizers(string baseName, string path, string replacement)
    {
        var root = JsonNode.Parse(HfTestData.TokenizerJson(baseName))!;
        var parent = root;
        string[] parts = path.Split('.');
        foreach (string part in parts[..^1]) parent = parent[part]!;
        if (baseName == "lenml-llama2" && path == "pre_tokenizer") root["normalizer"] = null;
        parent[parts[^1]] = JsonNode.Parse(replacement);
        string dir = TestData.TempDirectory();
        string file = Path.Combine(dir, "tokenizer.json");
        File.WriteAllText(file, root.ToJsonString());

        var ours = HfTokenizer.Load(dir);
        using var rust = new RustTokenizer(vocabPath: file);
        var failures = new List<string>();
        foreach (string text in _texts.Value)
        {
            // Tokenizers.DotNet encodes with add_special_tokens and decodes with skip_special_tokens.
            uint[] want = rust.Encode(text);
            var got = ours.EncodeAsHf(text, addSpecialTokens: true);
            if (!got.SequenceEqual(want.Select(x => (int)x)))
                failures.Add($"encode {Show(text)}: want [{string.Join(",", want)}] got [{string.Join(",", got)}]");
            string wantText = rust.Decode(want), gotText = ours.Decode(want.Select(x => (int)x));
            if (gotText != wantText) failures.Add($"decode {Show(text)}: want {Show(wantText)} got {Show(gotText)}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} differences:\n" + string.Join("\n", failures.Take(8)));
    }

    static string Show(string s) => System.Text.Json.JsonSerializer.Serialize(s.Length > 80 ? s[..80] : s);
}
