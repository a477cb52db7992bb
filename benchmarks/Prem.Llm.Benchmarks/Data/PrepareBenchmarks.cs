using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Prem.Llm.Data;
using Prem.Llm.Data.Prepare;

namespace Prem.Llm.Benchmarks.Data;

/// <summary>
/// <c>prepare</c> throughput with 1 and 2 tokenizing workers on the same corpus in the same run:
/// four JSONL files (~6 MB of text each, one gzip- and one zstd-compressed, the rest plain).
/// MB/s = <see cref="CorpusBytes"/> / mean time; the setup prints the byte count.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class PrepareBenchmarks
{
    private string _root = "";
    private string _output = "";
    private WordHashTokenizer _tokenizer = new();

    /// <summary>Tokenizing threads.</summary>
    [Params(1, 2)]
    public int Workers { get; set; }

    /// <summary>Hash rounds per word of the stand-in tokenizer: 1 = fast (pipeline-bound), 24 = about BPE speed (tokenizer-bound).</summary>
    [Params(1, 24)]
    public int TokenizerRounds { get; set; }

    /// <summary>UTF-8 bytes of the corpus's JSONL lines.</summary>
    public long CorpusBytes { get; private set; }

    /// <summary>Writes the corpus.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _tokenizer = new WordHashTokenizer(TokenizerRounds);
        _root = Path.Combine(Path.GetTempPath(), "prem-prepare-bench-" + Environment.ProcessId + "-" + Workers + "-" + TokenizerRounds);
        Directory.CreateDirectory(_root);
        string[] words = ["the", "river", "ran", "past", "an", "old", "mill", "where", "children", "played", "all", "summer", "long", "and", "nobody", "minded"];
        string[] names = ["a.jsonl", "b.jsonl.gz", "c.jsonl.zst", "d.jsonl"];
        CorpusBytes = 0;
        int doc = 0;
        foreach (var name in names)
        {
            var sb = new StringBuilder();
            while (sb.Length < 6_000_000)
            {
                var text = new StringBuilder();
                int n = 50 + doc * 7919 % 900;
                for (int w = 0; w < n; w++) text.Append(w == 0 ? "" : " ").Append(words[(doc * 31 + w * 7 + w / 5) % words.Length]);
                sb.Append(JsonSerializer.Serialize(new { text = text.ToString(), id = doc })).Append('\n');
                doc++;
            }
            var bytes = Encoding.UTF8.GetBytes(sb.ToString());
            CorpusBytes += bytes.Length - sb.ToString().Count(c => c == '\n');
            WriteFile(Path.Combine(_root, "in", name), bytes);
        }
        Console.WriteLine($"// corpus bytes: {CorpusBytes}");
    }

    /// <summary>Clears the output so every iteration prepares from scratch.</summary>
    [IterationSetup]
    public void ClearOutput()
    {
        _output = Path.Combine(_root, "out");
        if (Directory.Exists(_output)) Directory.Delete(_output, recursive: true);
    }

    /// <summary>One full preparation.</summary>
    [Benchmark]
    public long Prepare() => new CorpusPreparer(_tokenizer, new PrepareOptions
    {
        Input = Path.Combine(_root, "in"), Output = _output, TokenizerHash = "bench", SeqLen = 2048, Workers = Workers,
        RecordsPerShard = 4096,
    }).Run().Tokens;

    /// <summary>Removes the corpus.</summary>
    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    private static void WriteFile(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = File.Create(path);
        if (path.EndsWith(".gz", StringComparison.Ordinal))
        {
            using var gz = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest);
            gz.Write(bytes);
        }
        else if (path.EndsWith(".zst", StringComparison.Ordinal))
        {
            using var z = new ZstdSharp.CompressionStream(file, 3);
            z.Write(bytes);
        }
        else
        {
            file.Write(bytes);
        }
    }
}
