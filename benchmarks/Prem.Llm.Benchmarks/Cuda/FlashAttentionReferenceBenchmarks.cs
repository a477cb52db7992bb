using BenchmarkDotNet.Attributes;
using Prem.Llm.Cuda.Attention;
using Prem.Llm.Cuda.Reference;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Benchmarks.Cuda;

/// <summary>
/// The CPU reference (tiled, online softmax, managed TensorPrimitives) against TorchSharp's SDPA on the
/// CPU, forward only, float32, causal, TinyLlama-like heads scaled down (8 query heads, 2 KV heads,
/// head_dim 64, batch 1). SDPA gets K/V repeated to the query heads, as TorchSharp has no enable_gqa.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class FlashAttentionReferenceBenchmarks
{
    const int HeadsQ = 8, HeadsKv = 2, HeadDim = 64;

    [Params(128, 512, 1024)]
    public int SeqLen { get; set; }

    AttentionProblem _problem = null!;
    float[] _q = [], _k = [], _v = [], _o = [], _lse = [];
    Tensor _tq = null!, _tk = null!, _tv = null!;

    [GlobalSetup]
    public void Setup()
    {
        _problem = AttentionProblem.FixedLength(1, SeqLen, SeqLen, HeadsQ, HeadsKv, HeadDim, true, 0.125f);
        var rng = new Random(1);
        float[] Random(int n) => Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        (_q, _k, _v) = (Random(SeqLen * HeadsQ * HeadDim), Random(SeqLen * HeadsKv * HeadDim), Random(SeqLen * HeadsKv * HeadDim));
        (_o, _lse) = (new float[_q.Length], new float[HeadsQ * SeqLen]);
        // [tokens, heads, d] → [1, heads, tokens, d], K/V repeated over the group.
        _tq = tensor(_q).reshape(1, SeqLen, HeadsQ, HeadDim).transpose(1, 2).contiguous();
        _tk = tensor(_k).reshape(1, SeqLen, HeadsKv, HeadDim).transpose(1, 2).repeat_interleave(HeadsQ / HeadsKv, 1).contiguous();
        _tv = tensor(_v).reshape(1, SeqLen, HeadsKv, HeadDim).transpose(1, 2).repeat_interleave(HeadsQ / HeadsKv, 1).contiguous();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tq.Dispose();
        _tk.Dispose();
        _tv.Dispose();
    }

    [Benchmark(Baseline = true)]
    public float CpuReference()
    {
        FlashAttentionReference.Forward(_problem, _q, _k, _v, _o, _lse);
        return _o[0];
    }

    [Benchmark]
    public float TorchSharpSdpa()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return nn.functional.scaled_dot_product_attention(_tq, _tk, _tv, is_casual: true)[0, 0, 0, 0].item<float>();
    }
}
