using BenchmarkDotNet.Attributes;
using Prem.Llm.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Benchmarks.Objectives;

/// <summary>
/// The cross-entropy row work of one 256-row chunk of the fused head (vocab 32,000): loss, argmax and
/// softmax − onehot, by the fused row kernel (in place, <c>CrossEntropyRows</c>) and by the LibTorch ops
/// it replaced (float32 softmax, gather, log, argmax, scatter, convert back). 1 intra-op thread.
/// </summary>
public class CrossEntropyRowsBenchmarks
{
    Tensor _logits = null!, _work = null!, _targets = null!;
    long[] _targetArray = null!;

    /// <summary>The logits' dtype.</summary>
    [Params(ScalarType.BFloat16, ScalarType.Float32)] public ScalarType Dtype;

    /// <summary>Builds inputs once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(1);
        _logits = randn(256, 32000).mul(3).to_type(Dtype);
        _work = _logits.clone();
        _targets = randint(0, 32000, [256], dtype: ScalarType.Int64);
        _targetArray = _targets.data<long>().ToArray();
    }

    /// <summary>LibTorch ops, as the head ran them before the fused kernel.</summary>
    [Benchmark(Baseline = true)]
    public float LibTorchOps()
    {
        using var scope = NewDisposeScope();
        var probs = _logits.softmax(1, ScalarType.Float32);
        var safe = _targets.unsqueeze(1);
        var loss = probs.gather(1, safe).log().neg().sum();
        var correct = probs.argmax(1).eq(_targets).sum();
        probs.scatter_add_(1, safe, full(256, 1, -1.0f, ScalarType.Float32));
        using var gradient = probs.to_type(Dtype);
        return loss.item<float>() + correct.item<long>();
    }

    /// <summary>The fused row kernel (the logits become their gradient in place).</summary>
    [Benchmark]
    public double Fused()
    {
        // Fresh logits each time, as in training; the copy is a small part of the time.
        _work.copy_(_logits);
        var (loss, correct) = CrossEntropyRows.Apply(_work, _targetArray, 0, writeGradient: true);
        return loss + correct;
    }
}
