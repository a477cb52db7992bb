using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Prem.Llm.Evaluation;
using Prem.Llm.Tests.Evaluation;

namespace Prem.Llm.Benchmarks.Evaluation;

/// <summary>
/// Multiple-choice scoring of 32 four-choice questions (context of <see cref="ContextLength"/> tokens,
/// continuations of 1–8 tokens) with the test-sized attention model: full sequences per choice versus
/// one shared-context prefill per question. Documents/s = 32 / mean; tokens/s = <see cref="Tokens"/> / mean.
/// </summary>
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 2, iterationCount: 5)]
[MemoryDiagnoser(false)]
public class LogLikelihoodScoringBenchmarks
{
    private const int Questions = 32;
    private TinyCausalLm _model = null!;
    private List<TokenizedRequest> _requests = null!;

    /// <summary>Context tokens per question.</summary>
    [Params(32, 160)]
    public int ContextLength { get; set; }

    /// <summary>Total context + continuation tokens of the requests (printed once in setup).</summary>
    public int Tokens { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        TorchSharp.torch.set_num_threads(1);
        _model = new TinyCausalLm(vocab: 512, dim: 64, maxLength: 256, seed: 1);
        var random = new Random(1);
        _requests = [];
        for (int q = 0; q < Questions; q++)
        {
            var context = Enumerable.Range(0, ContextLength).Select(_ => random.Next(512)).ToArray();
            for (int c = 0; c < 4; c++)
                _requests.Add(new TokenizedRequest(context, Enumerable.Range(0, random.Next(1, 9)).Select(_ => random.Next(512)).ToArray()));
        }
        Tokens = _requests.Sum(r => r.TotalLength);
        Console.WriteLine($"// {Questions} documents, {_requests.Count} requests, {Tokens} tokens");
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark(Baseline = true)]
    public double FullSequences() => new CausalLmScorer(_model.Forward, _model.MaxLength, 16).Score(_requests).Sum(r => r.Value);

    [Benchmark]
    public double PrefixReuse() => new PrefixReuseScorer(_model, 16).Score(_requests).Sum(r => r.Value);
}
