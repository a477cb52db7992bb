using BenchmarkDotNet.Attributes;
using Prem.Llm.Generation;
using Prem.Llm.Modeling;
using TorchSharp;

namespace Prem.Llm.Benchmarks.Modeling;

/// <summary>Greedy generation of 64 tokens after a 64-token prompt on tiny-20M, with and without the KV cache.</summary>
public class GenerationBenchmarks
{
    TextGenerator _generator = null!;
    int[] _prompt = null!;

    /// <summary>Reuse keys/values (true) or recompute every position each step.</summary>
    [Params(true, false)] public bool UseCache;

    /// <summary>Builds the model once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Environment.ProcessorCount);
        _generator = new TextGenerator(new LlamaForCausalLM(ForwardBenchmarks.Tiny20M, seed: 1));
        _prompt = Enumerable.Range(0, 64).Select(i => 1 + i * 37 % 31999).ToArray();
    }

    /// <summary>64 new tokens; tokens/s = 64 / time.</summary>
    [Benchmark]
    public int Generate64() => _generator.Generate(_prompt, new SamplingOptions { MaxNewTokens = 64, UseCache = UseCache }).Count;
}
