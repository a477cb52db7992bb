using BenchmarkDotNet.Attributes;
using Prem.Llm.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Benchmarks.Modeling;

/// <summary>Eager vs SDPA causal attention, TinyLlama heads (32 query, 4 KV, head_dim 64), batch 1, float32.</summary>
public class AttentionBenchmarks
{
    Tensor _q = null!, _k = null!, _v = null!;
    readonly IAttentionBackend _eager = new EagerAttention();
    readonly IAttentionBackend _sdpa = new SdpaAttention();

    /// <summary>Sequence length.</summary>
    [Params(128, 512, 2048)] public int Seq;

    /// <summary>Builds inputs once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Environment.ProcessorCount);
        _q = randn(1, 32, Seq, 64);
        _k = randn(1, 4, Seq, 64);
        _v = randn(1, 4, Seq, 64);
    }

    /// <summary>The reference backend.</summary>
    [Benchmark(Baseline = true)]
    public void Eager() { using var o = _eager.Forward(_q, _k, _v, AttentionMask.Causal, 0.125); }

    /// <summary>LibTorch's fused attention.</summary>
    [Benchmark]
    public void Sdpa() { using var o = _sdpa.Forward(_q, _k, _v, AttentionMask.Causal, 0.125); }
}
