using System.Diagnostics;
using System.Text.Json;
using Prem.Llm.Distributed;
using Prem.Llm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.MpiHost;

/// <summary>
/// Time of one training step per rank (same micro-batch on every rank) split into compute
/// (forward+backward), gradient all-reduce and optimizer, on the tiny-20M config. Run with -np 1 and
/// -np 2: the difference of the step times is the data-parallel overhead.
/// </summary>
internal static class StepOverhead
{
    public static void Run(ICommunicator communicator, HostArgs options, string output)
    {
        int steps = options.Int("steps", 4), batch = options.Int("batch", 4), seqLen = options.Int("seq", 256);
        var config = TinyTraining.Config(options.Get("config", "tiny-20m"));
        using var model = new LlamaForCausalLM(config, dtype: ScalarType.Float32, seed: 1);
        using var dp = new DataParallel(communicator, GradientReduction.Average, bucketBytes: options.Int("bucket-mb", 25) * (1L << 20));
        dp.BroadcastParameters(model);
        var parameters = model.parameters().ToList();
        var optimizer = optim.AdamW(parameters, 1e-4);
        var compute = new List<double>();
        var comms = new List<double>();
        var update = new List<double>();
        for (int step = 0; step <= steps; step++)
        {
            using var scope = NewDisposeScope();
            var ids = TinyTraining.Batch(3, step, communicator.Rank * batch, batch, seqLen, config.VocabSize);
            communicator.Barrier();
            var clock = Stopwatch.StartNew();
            optimizer.zero_grad();
            var logits = model.Forward(ids.narrow(1, 0, seqLen));
            nn.functional.cross_entropy(logits.reshape(-1, config.VocabSize), ids.narrow(1, 1, seqLen).reshape(-1)).backward();
            double t1 = clock.Elapsed.TotalSeconds;
            dp.AllReduceGradients(model);
            double t2 = clock.Elapsed.TotalSeconds;
            DataParallel.ClipGradNorm(parameters, 1.0);
            optimizer.step();
            double t3 = clock.Elapsed.TotalSeconds;
            if (step == 0) continue; // warm-up
            compute.Add(t1);
            comms.Add(t2 - t1);
            update.Add(t3 - t2);
        }
        double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2) * 1e3;
        var row = new
        {
            ranks = communicator.Size,
            compute_ms = Median(compute),
            allreduce_ms = Median(comms),
            optimizer_ms = Median(update),
            step_ms = Median(compute) + Median(comms) + Median(update),
            gradient_mb = parameters.Sum(p => p.numel()) * 4 / 1e6,
        };
        if (communicator.Rank == 0)
        {
            Console.WriteLine(JsonSerializer.Serialize(row));
            File.WriteAllText(Path.Combine(output, $"step-np{communicator.Size}.json"), JsonSerializer.Serialize(row));
        }
    }
}
