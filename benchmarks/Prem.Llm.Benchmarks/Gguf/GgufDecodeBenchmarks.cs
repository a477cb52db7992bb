using BenchmarkDotNet.Attributes;
using LLama;
using LLama.Common;
using LLama.Native;
using Prem.Llm.Benchmarks.Generation;
using Prem.Llm.Generation.Cpu;
using Prem.Llm.Gguf;

namespace Prem.Llm.Benchmarks.Gguf;

/// <summary>
/// Decode speed of llama.cpp (LLamaSharp 0.30.0, CPU backend) on our exported GGUF files next to our own CPU
/// engine on the same weights, in one run: <see cref="CpuDecodeBenchmarks.StepsPerOp"/> steps of one token for each
/// of <see cref="Batch"/> sequences (one llama_decode, one engine step), after a 32-token context, all cores for both. Weights: f32 (ours float32), bf16 (ours bfloat16), q8_0 (ours int8,
/// its own 32-blocks with a float32 scale). tok/s = StepsPerOp / mean seconds.
/// </summary>
[Config(typeof(GgufBenchmarkConfig))]
public class GgufDecodeBenchmarks
{
    const int Context = 32;
    // Positions per sequence: the context and every step of a run (1 warm-up and the measured operations).
    const int Capacity = 1024;
    string _directory = "";
    LLamaWeights? _weights;
    LLamaContext? _context;
    LLamaBatch _batch = new();
    int _position;
    CpuLlama? _engine;
    CpuKvCache? _cache;
    float[] _logits = [];
    int[] _tokens = [], _slots = [], _positions = [];

    /// <summary>Model shape.</summary>
    [Params("110M", "1.1B")] public string Shape = "110M";

    /// <summary>Weight type.</summary>
    [Params("f32", "bf16", "q8_0")] public string Type = "f32";

    /// <summary>Sequences decoded together (tok/s counts all of them).</summary>
    [Params(1, 8)] public int Batch = 1;

    /// <summary>"llama.cpp" or "prem".</summary>
    [Params("llama.cpp", "prem")] public string Engine = "prem";

    [GlobalSetup]
    public void Setup()
    {
        var prompt = Enumerable.Range(0, Context).Select(i => 1 + i * 7919 % 31999).ToArray();
        if (Engine == "prem")
        {
            _engine = CpuShapes.Engine(Shape, Type switch { "f32" => "float32", "bf16" => "bfloat16", _ => "int8" });
            _cache = _engine.CreateCache(Batch, Capacity);
            _logits = new float[Batch * _engine.Config.VocabSize];
            for (int row = 0; row < Batch; row++) _engine.Prefill(prompt, row, 0, _cache, _logits.AsSpan(0, _engine.Config.VocabSize));
            _position = Context;
            _tokens = Enumerable.Range(0, Batch).Select(i => 100 + i).ToArray();
            _slots = Enumerable.Range(0, Batch).ToArray();
            _positions = new int[Batch];
            return;
        }
        _directory = Path.Combine(Path.GetTempPath(), "prem-bench-gguf-decode-" + Environment.ProcessId);
        Directory.CreateDirectory(_directory);
        string path = Path.Combine(_directory, $"{Shape}-{Type}.gguf");
        var model = CpuShapes.Model(Shape, Type == "bf16" ? TorchSharp.torch.ScalarType.BFloat16 : TorchSharp.torch.ScalarType.Float32);
        GgufExporter.Export(model, GgufBenchmarkData.TokenizerFolder(_directory), path, GgufBenchmarkData.TypeOf(Type));
        NativeLogConfig.llama_log_set((_, _) => { });
        var parameters = new ModelParams(path)
        {
            ContextSize = (uint)(Batch * Capacity), SeqMax = (uint)Batch, BatchSize = 64, Threads = Environment.ProcessorCount, BatchThreads = Environment.ProcessorCount, GpuLayerCount = 0,
        };
        _weights = LLamaWeights.LoadFromFile(parameters);
        _context = _weights.CreateContext(parameters);
        for (int row = 0; row < Batch; row++)
        {
            _batch.Clear();
            for (int i = 0; i < Context; i++) _batch.Add(prompt[i], i, (LLamaSeqId)row, i == Context - 1);
            if (_context.Decode(_batch) != DecodeResult.Ok) throw new InvalidOperationException("llama_decode failed");
        }
        _position = Context;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _context?.Dispose();
        _weights?.Dispose();
        if (_directory.Length > 0) Directory.Delete(_directory, recursive: true);
    }

    /// <summary><see cref="CpuDecodeBenchmarks.StepsPerOp"/> decode steps (the context grows; 4,096 positions is room for any run).</summary>
    [Benchmark]
    public float Decode()
    {
        float last = 0;
        for (int s = 0; s < CpuDecodeBenchmarks.StepsPerOp; s++, _position++)
        {
            if (_position == Capacity) throw new InvalidOperationException($"More than {Capacity - Context} steps: raise Capacity.");
            if (_engine is not null)
            {
                Array.Fill(_positions, _position);
                _engine.Step(_tokens, _slots, _positions, _cache!, _logits);
                last = _logits[0];
                continue;
            }
            _batch.Clear();
            for (int row = 0; row < Batch; row++) _batch.Add(100 + row, _position, (LLamaSeqId)row, true);
            if (_context!.Decode(_batch) != DecodeResult.Ok) throw new InvalidOperationException("llama_decode failed");
            last = _context.NativeHandle.GetLogitsIth(0)[0];
        }
        return last;
    }
}
