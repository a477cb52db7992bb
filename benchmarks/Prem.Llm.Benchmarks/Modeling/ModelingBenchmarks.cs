using BenchmarkDotNet.Attributes;
using Prem.Llm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Benchmarks.Modeling;

/// <summary>RMSNorm and RoPE at the TinyLlama width, per call on [1, seq, 2048] activations.</summary>
[MemoryDiagnoser(false)]
public class NormAndRopeBenchmarks
{
    RmsNorm norm = null!;
    RotaryEmbedding rope = null!;
    Tensor hidden = null!, heads = null!, positions = null!, cos = null!, sin = null!;

    /// <summary>Sequence length.</summary>
    [Params(512, 2048)] public int Seq;

    /// <summary>Builds inputs once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Environment.ProcessorCount);
        var config = LlamaConfig.Prem1B;
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        rope = new RotaryEmbedding(config);
        hidden = randn(1, Seq, config.HiddenSize);
        heads = randn(1, config.NumAttentionHeads, Seq, config.HeadDim);
        positions = arange(Seq, dtype: ScalarType.Int64).unsqueeze(0);
        (cos, sin) = rope.Forward(positions, ScalarType.Float32);
    }

    /// <summary>RMSNorm forward.</summary>
    [Benchmark]
    public void RmsNormForward() { using var y = norm.forward(hidden); }

    /// <summary>cos/sin tables for the positions.</summary>
    [Benchmark]
    public void RopeTables() { var (c, s) = rope.Forward(positions, ScalarType.Float32); c.Dispose(); s.Dispose(); }

    /// <summary>Rotating 32 query heads.</summary>
    [Benchmark]
    public void RopeApply() { using var y = RotaryEmbedding.Apply(heads, cos, sin); }
}
