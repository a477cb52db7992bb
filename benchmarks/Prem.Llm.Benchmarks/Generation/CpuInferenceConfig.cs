using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Prem.Llm.Benchmarks.Generation;

/// <summary>
/// In-process (the models are built once and shared across cases), monitoring strategy with one warm-up
/// and five measured operations: the suite is sized for a shared 2-core machine. Adds the throughput
/// and ratio columns (<see cref="CpuInferenceColumns"/>).
/// </summary>
public sealed class CpuInferenceConfig : ManualConfig
{
    /// <summary>The job and the columns.</summary>
    public CpuInferenceConfig()
    {
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5).WithId("cpu-inference"));
        AddColumn(CpuInferenceColumns.All);
    }
}
