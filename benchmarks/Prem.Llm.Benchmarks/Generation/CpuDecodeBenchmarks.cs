using BenchmarkDotNet.Attributes;
using Prem.Llm.Generation.Cpu;

namespace Prem.Llm.Benchmarks.Generation;

/// <summary>
/// Decode steps on the CPU engine after a 32-token context: <see cref="StepsPerOp"/> steps of
/// <see cref="Batch"/> sequences each. Run with <c>--join</c> beside <see cref="ReadBandwidthBenchmarks"/>
/// so the "BW ratio" column (weight bytes read per second ÷ measured read bandwidth) comes from the same run.
/// </summary>
[Config(typeof(CpuInferenceConfig))]
public class CpuDecodeBenchmarks
{
    /// <summary>Steps per benchmark operation.</summary>
    public const int StepsPerOp = 8;
    const int Context = 32;
    CpuLlama _engine = null!;
    CpuKvCache _cache = null!;
    int[] _tokens = null!, _slots = null!, _positions = null!;
    float[] _logits = null!;

    /// <summary>Model shape.</summary>
    [Params("42M", "110M", "1.1B")] public string Shape = "110M";

    /// <summary>Weight format.</summary>
    [Params("float32", "bfloat16", "int8", "bf16-copy")] public string Weights = "float32";

    /// <summary>Sequences decoded together.</summary>
    [Params(1, 8)] public int Batch = 1;

    /// <summary>Builds (or reuses) the engine and fills each row's context.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _engine = CpuShapes.Engine(Shape, Weights);
        _cache = _engine.CreateCache(Batch, Context + StepsPerOp);
        int vocab = _engine.Config.VocabSize;
        _logits = new float[Batch * vocab];
        var prompt = Enumerable.Range(0, Context).Select(i => 1 + i * 7919 % (vocab - 1)).ToArray();
        for (int row = 0; row < Batch; row++) _engine.Prefill(prompt, row, 0, _cache, _logits.AsSpan(0, vocab));
        _tokens = Enumerable.Range(0, Batch).Select(i => 100 + i).ToArray();
        _slots = Enumerable.Range(0, Batch).ToArray();
        _positions = new int[Batch];
    }

    /// <summary><see cref="StepsPerOp"/> decode steps of every row.</summary>
    [Benchmark]
    public float Decode()
    {
        for (int s = 0; s < StepsPerOp; s++)
        {
            Array.Fill(_positions, Context + s);
            _engine.Step(_tokens, _slots, _positions, _cache, _logits);
        }
        return _logits[0];
    }
}
