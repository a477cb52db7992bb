using BenchmarkDotNet.Attributes;
using Microsoft.ML.Tokenizers;
using Prem.Llm.Text;

namespace Prem.Llm.Benchmarks.Text;

/// <summary>
/// Llama-2 tokenizer encode throughput on ~1 MB of English-like text: ours (exact SentencePiece, word
/// cache) against Microsoft.ML.Tokenizers' LlamaTokenizer, one thread; plus ours over 1,000 documents on
/// all cores. MB/s = <see cref="TextBytes"/> / mean time.
/// </summary>
[MemoryDiagnoser]
public class TokenizerEncodeBenchmarks
{
    SentencePieceTextTokenizer _ours = null!;
    LlamaTokenizer _ml = null!;
    string _text = "";
    List<string> _documents = [];

    /// <summary>UTF-8 size of the benchmark text.</summary>
    public static int TextBytes { get; private set; }

    /// <summary>Loads both tokenizers and builds the text.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string model = EnglishSample.DataPath("llama2", "tokenizer.model");
        _ours = SentencePieceTextTokenizer.FromFile(model);
        using (var stream = File.OpenRead(model)) _ml = LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false);
        _text = EnglishSample.Create(1 << 20);
        _documents = EnglishSample.Documents(_text, 1 << 10);
        TextBytes = System.Text.Encoding.UTF8.GetByteCount(_text);
        Console.WriteLine($"// text: {TextBytes} UTF-8 bytes, {_documents.Count} documents");
    }

    /// <summary>Microsoft.ML.Tokenizers' LlamaTokenizer, one thread (the baseline; inexact on ties).</summary>
    [Benchmark(Baseline = true)]
    public int MicrosoftMl_SingleThread() => _ml.EncodeToIds(_text, considerPreTokenization: true, considerNormalization: true).Count;

    /// <summary>Ours, one thread, word cache warm from earlier iterations.</summary>
    [Benchmark]
    public int Ours_SingleThread_WarmCache() => _ours.Encode(_text).Count;

    /// <summary>Ours, one thread, word cache emptied first (every word merged once).</summary>
    [Benchmark]
    public int Ours_SingleThread_ColdCache()
    {
        _ours.ClearWordCache();
        return _ours.Encode(_text).Count;
    }

    /// <summary>Ours over 1,000 documents on all cores (order kept).</summary>
    [Benchmark]
    public int Ours_Corpus_AllCores() => _ours.EncodeBatch(_documents).Length;

    /// <summary>Ours over the same documents on one core, for the scaling ratio.</summary>
    [Benchmark]
    public int Ours_Corpus_OneCore() => _ours.EncodeBatch(_documents, maxDegreeOfParallelism: 1).Length;
}
