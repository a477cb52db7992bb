using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Prem.Llm.Text;
using ZstdSharp;

namespace Prem.Llm.Benchmarks.Text;

/// <summary>
/// tokenizer.json encode throughput, one thread, same text and same run: ours (<see cref="HfTokenizer"/>,
/// word cache warm or emptied first) against HF's Rust tokenizers through the Tokenizers.DotNet wrapper
/// (a benchmark reference only). Texts: ~1 MB of English-like prose, and the 1,136 golden strings (code,
/// whitespace runs, unicode, emoji) repeated to ~1 MB. MB/s = UTF-8 bytes / mean time.
/// </summary>
[MemoryDiagnoser]
public class HfTokenizerEncodeBenchmarks
{
    HfTokenizer _ours = null!;
    Tokenizers.DotNet.Tokenizer _rust = null!;
    string _text = "";

    /// <summary>Which real tokenizer.json folder.</summary>
    [Params("llama3_1", "qwen3")]
    public string Tokenizer { get; set; } = "llama3_1";

    /// <summary>Which text.</summary>
    [Params("english", "golden-mix")]
    public string Text { get; set; } = "english";

    /// <summary>Decompresses the folder, loads both tokenizers, builds the text.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string hf = HfTokenizerFolder.DataRoot;
        string folder = HfTokenizerFolder.Extract(Tokenizer);
        _ours = HfTokenizer.Load(folder);
        _rust = new Tokenizers.DotNet.Tokenizer(vocabPath: Path.Combine(folder, "tokenizer.json"));
        _text = Text == "english" ? EnglishSample.Create(1 << 20) : GoldenMix(Path.Combine(hf, "golden", $"tokenizer_{Tokenizer}.jsonl.zst"), 1 << 20);
        Console.WriteLine($"// {Tokenizer} {Text}: {System.Text.Encoding.UTF8.GetByteCount(_text)} UTF-8 bytes");
        // Same ids (Tokenizers.DotNet adds the special tokens of add_special_tokens) — otherwise the comparison is void.
        if (!_ours.EncodeAsHf(_text).SequenceEqual(_rust.Encode(_text).Select(x => (int)x)))
            throw new InvalidOperationException("ours and HF tokenizers disagree on the benchmark text");
    }

    static string GoldenMix(string path, int bytes)
    {
        using var input = new DecompressionStream(File.OpenRead(path));
        using var reader = new StreamReader(input);
        var texts = new List<string>();
        while (reader.ReadLine() is { } line)
            if (line.Length > 0)
                using (var doc = JsonDocument.Parse(line)) texts.Add(doc.RootElement.GetProperty("text").GetString()!);
        var sb = new System.Text.StringBuilder(bytes + 1024);
        for (int i = 0; sb.Length < bytes; i++) sb.Append(texts[i % texts.Count]).Append('\n');
        return sb.ToString();
    }

    /// <summary>HF's Rust tokenizers (Tokenizers.DotNet 1.4.1, tokenizers 0.22.2), one thread: the baseline.</summary>
    [Benchmark(Baseline = true)]
    public int HfRust() => _rust.Encode(_text).Length;

    /// <summary>Ours, one thread, word cache warm from earlier iterations.</summary>
    [Benchmark]
    public int Ours_WarmCache() => _ours.EncodeAsHf(_text).Count;

    /// <summary>Ours, one thread, word cache emptied first.</summary>
    [Benchmark]
    public int Ours_ColdCache()
    {
        _ours.ClearWordCache();
        return _ours.EncodeAsHf(_text).Count;
    }

    /// <summary>Releases the native tokenizer.</summary>
    [GlobalCleanup]
    public void Cleanup() => _rust.Dispose();
}
