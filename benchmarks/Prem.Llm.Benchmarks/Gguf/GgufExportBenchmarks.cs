using BenchmarkDotNet.Attributes;
using Prem.Llm.Benchmarks.Generation;
using Prem.Llm.Checkpoints;
using Prem.Llm.Gguf;
using TorchSharp;

namespace Prem.Llm.Benchmarks.Gguf;

/// <summary>
/// Exporting the 110M shape (random float32 weights, a SentencePiece tokenizer) to GGUF in f32, bf16 and q8_0,
/// against writing the same number of bytes raw through the same atomic writer (the baseline: the disk and page
/// cache, no conversion). MB/s = the file's size (printed at setup) / mean seconds.
/// </summary>
[Config(typeof(GgufBenchmarkConfig))]
public class GgufExportBenchmarks
{
    string _directory = "", _path = "", _tokenizer = "";
    byte[] _raw = [];

    /// <summary>The GGUF weight type ("raw": the baseline write of the f32 file's size).</summary>
    [Params("raw", "f32", "bf16", "q8_0")] public string Type = "f32";

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "prem-bench-gguf-" + Environment.ProcessId);
        Directory.CreateDirectory(_directory);
        _path = Path.Combine(_directory, "model.gguf");
        _tokenizer = GgufBenchmarkData.TokenizerFolder(_directory);
        var model = CpuShapes.Model("110M", torch.ScalarType.Float32);
        GgufExporter.Export(model, _tokenizer, _path, GgufType.F32);
        _raw = new byte[new FileInfo(_path).Length];
        new Random(1).NextBytes(_raw);
        if (Type != "raw")
        {
            GgufExporter.Export(model, _tokenizer, _path, GgufBenchmarkData.TypeOf(Type));
            Console.WriteLine($"// {Type}: {new FileInfo(_path).Length / 1e6:F1} MB");
        }
        else Console.WriteLine($"// raw: {_raw.Length / 1e6:F1} MB");
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    /// <summary>One export (or the raw write), atomic and flushed to disk.</summary>
    [Benchmark]
    public long Export()
    {
        if (Type == "raw") AtomicFile.Write(_path, s => s.Write(_raw));
        else GgufExporter.Export(CpuShapes.Model("110M", torch.ScalarType.Float32), _tokenizer, _path, GgufBenchmarkData.TypeOf(Type));
        return new FileInfo(_path).Length;
    }
}
