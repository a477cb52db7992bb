using BenchmarkDotNet.Attributes;
using Prem.Llm.Attention;
using Prem.Llm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Benchmarks.Modeling;

/// <summary>
/// Whole-model forward of the "tiny-20M" shape (4 layers, d 256, 4 heads, ffn 768, vocab 32000) on
/// batch 4 × 256, float32 and bf16, with each attention backend.
/// </summary>
public class ForwardBenchmarks
{
    LlamaForCausalLM _model = null!;
    Tensor _ids = null!;

    /// <summary>Weight dtype.</summary>
    [Params(ScalarType.Float32, ScalarType.BFloat16)] public ScalarType Dtype;

    /// <summary>Attention backend.</summary>
    [Params("eager", "sdpa")] public string Backend = "sdpa";

    /// <summary>The tiny-20M configuration used across the benchmarks.</summary>
    public static LlamaConfig Tiny20M => new()
    {
        HiddenSize = 256, IntermediateSize = 768, NumHiddenLayers = 4, NumAttentionHeads = 4, NumKeyValueHeads = 4,
        HeadDim = 64, VocabSize = 32000, MaxPositionEmbeddings = 2048,
    };

    /// <summary>Builds the model once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Environment.ProcessorCount);
        _model = new LlamaForCausalLM(Tiny20M, AttentionBackends.Create(Backend), Dtype, seed: 1);
        _ids = randint(0, 32000, [4, 256], dtype: ScalarType.Int64);
    }

    /// <summary>One inference forward (no autograd).</summary>
    [Benchmark]
    public void Forward()
    {
        using var noGrad = no_grad();
        using var logits = _model.forward(_ids);
    }
}
