using BenchmarkDotNet.Attributes;
using Prem.Llm.Generation.Cpu;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Benchmarks.Generation;

/// <summary>
/// A 512-token prompt through the CPU engine at the 110M shape, beside a 1024³ GEMM (LibTorch, the same
/// dtype; int8 has no LibTorch CPU GEMM, so its prefill, int8 × int8 blocks accumulated in float32, is set
/// against the float32 one) from the same run: the "GEMM ratio" column is the
/// prefill's model FLOP/s over the GEMM's.
/// </summary>
[Config(typeof(CpuInferenceConfig))]
public class CpuPrefillBenchmarks
{
    /// <summary>Prompt tokens.</summary>
    public const int Tokens = 512;
    CpuLlama _engine = null!;
    CpuKvCache _cache = null!;
    int[] _prompt = null!;
    float[] _logits = null!;
    Tensor _a = null!, _b = null!;

    /// <summary>Weight format.</summary>
    [Params("float32", "bfloat16", "int8", "bf16-copy")] public string Weights = "float32";

    /// <summary>Builds (or reuses) the 110M engine and the GEMM operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _engine = CpuShapes.Engine("110M", Weights);
        _cache = _engine.CreateCache(1, Tokens);
        _logits = new float[_engine.Config.VocabSize];
        _prompt = Enumerable.Range(0, Tokens).Select(i => 1 + i * 7919 % 31999).ToArray();
        var dtype = Weights is "bfloat16" or "bf16-copy" ? ScalarType.BFloat16 : ScalarType.Float32;
        torch.set_num_threads(Environment.ProcessorCount);
        _a = randn(1024, 1024).to_type(dtype);
        _b = randn(1024, 1024).to_type(dtype);
    }

    /// <summary>Frees the GEMM operands.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _a.Dispose();
        _b.Dispose();
    }

    /// <summary>The prompt pass (last token's logits).</summary>
    [Benchmark]
    public float Prefill()
    {
        _engine.Prefill(_prompt, 0, 0, _cache, _logits);
        return _logits[0];
    }

    /// <summary>1024 × 1024 × 1024 matrix product in LibTorch.</summary>
    [Benchmark]
    public long Gemm1024()
    {
        using var c = mm(_a, _b);
        return c.shape[0];
    }
}
