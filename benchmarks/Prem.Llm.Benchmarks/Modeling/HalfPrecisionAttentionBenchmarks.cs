using BenchmarkDotNet.Attributes;
using Prem.Llm.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Benchmarks.Modeling;

/// <summary>
/// Causal attention forward + backward in bf16 on the CPU at training shapes (1,024 tokens per batch,
/// 4 heads of 64): LibTorch's fused <c>scaled_dot_product_attention</c> against the
/// <see cref="AutoSdpaAttention"/> ("sdpa") backend, which forms the product decomposed up to
/// <see cref="AutoSdpaAttention.DefaultDecomposedMaxKeys"/> keys and calls the fused kernel above. 1 intra-op thread.
/// </summary>
public class HalfPrecisionAttentionBenchmarks
{
    Tensor _q = null!, _k = null!, _v = null!;
    readonly IAttentionBackend _backend = new AutoSdpaAttention();

    /// <summary>Sequence length (batch = 1,024 / length).</summary>
    [Params(256, 512, 1024)] public int Seq;

    /// <summary>Builds inputs once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(1);
        int batch = 1024 / Seq;
        _q = randn(batch, 4, Seq, 64).to_type(ScalarType.BFloat16).requires_grad_(true);
        _k = randn(batch, 4, Seq, 64).to_type(ScalarType.BFloat16).requires_grad_(true);
        _v = randn(batch, 4, Seq, 64).to_type(ScalarType.BFloat16).requires_grad_(true);
    }

    /// <summary>LibTorch's fused kernel.</summary>
    [Benchmark(Baseline = true)]
    public void LibTorchFused() => Backward(nn.functional.scaled_dot_product_attention(_q, _k, _v, is_casual: true));

    /// <summary>The SDPA backend.</summary>
    [Benchmark]
    public void SdpaBackend() => Backward(_backend.Forward(_q, _k, _v, AttentionMask.Causal, 0.125));

    void Backward(Tensor output)
    {
        using var scope = NewDisposeScope();
        output.sum().backward();
        output.Dispose();
        foreach (var t in new[] { _q, _k, _v })
        {
            t.grad?.Dispose();
            t.grad = null;
        }
    }
}
