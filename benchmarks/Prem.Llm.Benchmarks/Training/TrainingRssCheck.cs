using System.Diagnostics;
using Prem.Llm.Data;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Benchmarks.Training;

/// <summary>
/// Not a BenchmarkDotNet benchmark: runs ≥ 1,000 training steps of a small Llama and prints the
/// process RSS every tenth of the run and its growth after warm-up (the first tenth).
/// Run: <c>dotnet run -c Release -- train-rss [steps] [precision] [threads]</c>; compare allocators with
/// <c>LD_PRELOAD=libjemalloc.so.2</c> or <c>MALLOC_ARENA_MAX</c> settings in the environment.
/// </summary>
public static class TrainingRssCheck
{
    public static int Run(string[] args)
    {
        int steps = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1000;
        var precision = args.Length > 1 ? Enum.Parse<TrainingPrecision>(args[1], ignoreCase: true) : TrainingPrecision.Float32;
        // One intra-op thread by default: on a shared, oversubscribed machine LibTorch's OpenMP
        // workers spin at barriers while a sibling is descheduled, which swamps any timing.
        set_num_threads(args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1);
        var config = new LlamaConfig
        {
            HiddenSize = 128, IntermediateSize = 384, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2,
            HeadDim = 32, VocabSize = 4096, MaxPositionEmbeddings = 64,
        };
        using var model = new LlamaForCausalLM(config, dtype: ScalarType.Float32, seed: 1);
        var batches = Enumerable.Range(0, 16).Select(i => (Func<TrainingBatch>)(() =>
        {
            var ids = randint(0, 4096, [4, 64], dtype: ScalarType.Int64, generator: new Generator((ulong)i));
            return new CausalLmBatch(ids, labels: ids.clone());
        })).ToList();
        var options = new TrainerOptions
        {
            Precision = new() { Mode = precision }, Schedule = new() { MaxSteps = steps }, AccumulationSteps = 2,
            Optimizer = new() { LearningRate = 1e-3 }, Checkpoint = new() { ExportFinalModel = false },
        };
        using var trainer = new Trainer(model, new CausalLmObjective(), new InMemoryBatchSource(batches, shuffle: true), options);
        var process = Process.GetCurrentProcess();
        long warm = 0, peak = 0;
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"allocator env: LD_PRELOAD={Environment.GetEnvironmentVariable("LD_PRELOAD")} MALLOC_ARENA_MAX={Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX")}");
        trainer.Run(new Reporter(u =>
        {
            if (u.Kind != TrainingUpdateKind.Step || u.Step % Math.Max(1, steps / 10) != 0) return;
            process.Refresh();
            long rss = process.WorkingSet64;
            if (u.Step == Math.Max(1, steps / 10)) warm = rss;
            peak = Math.Max(peak, rss);
            Console.WriteLine($"step {u.Step,5}  loss {u.Loss:F4}  rss {rss / 1048576.0,8:F1} MiB  {clock.Elapsed.TotalSeconds,6:F1} s  CPU {process.TotalProcessorTime.TotalSeconds,6:F1} s");
        }));
        process.Refresh();
        long final = process.WorkingSet64;
        Console.WriteLine($"precision {precision}: RSS after warm-up {warm / 1048576.0:F1} MiB, final {final / 1048576.0:F1} MiB, peak {peak / 1048576.0:F1} MiB, growth {(final - warm) * 100.0 / warm:F1}%  ({steps} steps, {clock.Elapsed.TotalSeconds:F1} s)");
        return 0;
    }

    private sealed class Reporter(Action<TrainingUpdate> action) : IProgress<TrainingUpdate>
    {
        public void Report(TrainingUpdate value) => action(value);
    }
}
