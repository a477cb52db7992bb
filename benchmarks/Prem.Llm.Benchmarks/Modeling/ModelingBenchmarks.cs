using BenchmarkDotNet.Attributes;
using Prem.Llm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Benchmarks.Modeling;

/// <summary>RMSNorm and RoPE at the TinyLlama width, per call on [1, seq, 2048] activations.</summary>
[MemoryDiagnoser(false)]
public class NormAndRopeBenchmarks
{
    RmsNorm _norm = null!;
    RotaryEmbedding _rope = null!;
    Tensor _hidden = null!, _heads = null!, _positions = null!, _cos = null!, _sin = null!;

    /// <summary>Sequence length.</summary>
    [Params(512, 2048)] public int Seq;

    /// <summary>Builds inputs once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Environment.ProcessorCount);
        var config = LlamaConfig.Prem1B;
        _norm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        _rope = new RotaryEmbedding(config);
        _hidden = randn(1, Seq, config.HiddenSize);
        _heads = randn(1, config.NumAttentionHeads, Seq, config.HeadDim);
        _positions = arange(Seq, dtype: ScalarType.Int64).unsqueeze(0);
        (_cos, _sin) = _rope.Forward(_positions, ScalarType.Float32);
    }

    /// <summary>RMSNorm forward.</summary>
    [Benchmark]
    public void RmsNormForward() { using var y = _norm.forward(_hidden); }

    /// <summary>cos/sin tables for the positions.</summary>
    [Benchmark]
    public void RopeTables() { var (c, s) = _rope.Forward(_positions, ScalarType.Float32); c.Dispose(); s.Dispose(); }

    /// <summary>Rotating 32 query heads.</summary>
    [Benchmark]
    public void RopeApply() { using var y = RotaryEmbedding.Apply(_heads, _cos, _sin); }
}
