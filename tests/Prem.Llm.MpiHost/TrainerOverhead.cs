using System.Diagnostics;
using System.Text.Json;
using Prem.Llm.Data;
using Prem.Llm.Distributed;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.MpiHost;

/// <summary>
/// Step time of the real <see cref="Trainer"/> (<see cref="Trainer.RunStep"/>: unit all-reduce,
/// forward/backward, bucketed gradient all-reduce, loss/metric all-reduce, clip, AdamW) on the
/// tiny-20M config with a per-rank micro-batch of --batch × --seq tokens. Run with -np 1 and -np 2:
/// the difference is the data-parallel overhead (each rank does the same compute in both).
/// </summary>
internal static class TrainerOverhead
{
    public static void Run(ICommunicator communicator, HostArgs options, string output)
    {
        int steps = options.Int("steps", 5), batch = options.Int("batch", 4), seqLen = options.Int("seq", 256);
        var config = TinyTraining.Config(options.Get("config", "tiny-20m"));
        var precision = Enum.Parse<TrainingPrecision>(options.Get("precision", "Bf16Mixed"));
        using var model = new LlamaForCausalLM(config, dtype: ScalarType.Float32, seed: 1);
        var trainerOptions = new TrainerOptions { Schedule = new() { MaxSteps = steps + 1 }, AccumulationSteps = 1, Precision = new() { Mode = precision }, Threads = options.Int("threads", 1) };
        var source = new InMemoryBatchSource([() => throw new InvalidOperationException("RunStep is given its batches")]);
        using var trainer = new Trainer(model, new CausalLmObjective(), source, trainerOptions, communicator: communicator);
        var times = new List<double>();
        for (int step = 0; step <= steps; step++)
        {
            using var ids = TinyTraining.Batch(3, step, communicator.Rank * batch, batch, seqLen, config.VocabSize);
            using var micro = new CausalLmBatch(ids.narrow(1, 0, seqLen).contiguous(), targets: ids.narrow(1, 1, seqLen).contiguous());
            communicator.Barrier();
            var clock = Stopwatch.StartNew();
            trainer.RunStep([micro]);
            if (step > 0) times.Add(clock.Elapsed.TotalSeconds * 1e3); // step 0 warms up
        }
        times.Sort();
        var row = new { ranks = communicator.Size, precision = precision.ToString(), median_step_ms = times[times.Count / 2], min_step_ms = times[0], steps = times.Count };
        if (communicator.Rank == 0)
        {
            Console.WriteLine(JsonSerializer.Serialize(row));
            File.WriteAllText(Path.Combine(output, $"trainer-np{communicator.Size}-{precision}.json"), JsonSerializer.Serialize(row));
        }
    }
}
