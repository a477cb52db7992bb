using BenchmarkDotNet.Attributes;
using Prem.Llm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Benchmarks.Generation;

/// <summary>
/// The TorchSharp path the CPU engine replaces, for the profile in the README: <see cref="CpuDecodeBenchmarks.StepsPerOp"/>
/// one-token forwards with the model's KV cache at the 110M shape, batch 1, after a 32-token context.
/// </summary>
[Config(typeof(CpuInferenceConfig))]
public class TorchSharpDecodeBenchmarks
{
    const int Context = 32;
    LlamaForCausalLM _model = null!;
    KvCache _cache = null!;
    Tensor _next = null!;

    /// <summary>Weight dtype.</summary>
    [Params("float32", "bfloat16")] public string Weights = "float32";

    /// <summary>Builds (or reuses) the model and fills the context.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _model = CpuShapes.Model("110M", Weights == "float32" ? ScalarType.Float32 : ScalarType.BFloat16);
        _cache = _model.CreateCache(1, Context + CpuDecodeBenchmarks.StepsPerOp);
        using var noGrad = no_grad();
        using var ids = tensor(Enumerable.Range(0, Context).Select(i => (long)(1 + i * 7919 % 31999)).ToArray(), [1, Context]);
        _model.Forward(ids, cache: _cache).Dispose();
        _next = tensor(new long[] { 100 }, [1, 1]);
    }

    /// <summary>Frees the cache.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _cache.Dispose();
        _next.Dispose();
    }

    /// <summary><see cref="CpuDecodeBenchmarks.StepsPerOp"/> decode steps (the cache is rewound to the context first).</summary>
    [Benchmark]
    public long TorchSharpDecode()
    {
        using var noGrad = no_grad();
        _cache.Reset();
        _cache.Advance(Context);
        long last = 0;
        for (int s = 0; s < CpuDecodeBenchmarks.StepsPerOp; s++)
        {
            using var logits = _model.Forward(_next, cache: _cache);
            last = logits.shape[2];
        }
        return last;
    }
}
