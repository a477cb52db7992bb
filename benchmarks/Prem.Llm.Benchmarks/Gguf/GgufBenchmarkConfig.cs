using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Prem.Llm.Benchmarks.Gguf;

/// <summary>
/// In process (models and llama.cpp contexts built once per case), monitoring strategy, one warm-up and
/// <see cref="Iterations"/> measured operations (PREM_BENCH_ITERATIONS overrides it: 3 for a sanity run).
/// </summary>
public sealed class GgufBenchmarkConfig : ManualConfig
{
    /// <summary>Measured operations per case.</summary>
    public static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("PREM_BENCH_ITERATIONS"), out int n) ? n : 10;

    /// <summary>The job.</summary>
    public GgufBenchmarkConfig() =>
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(Iterations).WithId("gguf"));
}
