using System.Text.Json;
using System.Text.Json.Nodes;
using Prem.Llm.Data;
using Prem.Llm.Distributed;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.MpiHost;

/// <summary>
/// The real <see cref="Trainer"/> on a prepared packed data set (--data), each rank reading its
/// shard through the packed <see cref="BatchLoader{TExample, TBatch}"/> with <see cref="BatchSharding.ForRank(BatchLoaderOptions, ICommunicator)"/>.
/// Targets are masked by a hash of (window id, position) at a rate that differs per window, so the
/// ranks hold different numbers of trained tokens and only the global unit count gives the
/// single-process update. Writes rank{r}.json with the losses and the final weights' checksum.
/// </summary>
internal static class TrainerRun
{
    public static void Run(ICommunicator communicator, HostArgs options, string output)
    {
        int r = communicator.Rank;
        using var dataset = new PackedTokenDataset(options.Get("data", "data"));
        var loader = new BatchLoaderOptions { BatchSize = options.Int("batch", 2) };
        // --world overrides the shard (the wrong-world-size failure test); normally the communicator's.
        int world = options.Int("world", 0);
        loader = world > 0 ? loader with { Rank = r % world, WorldSize = world } : loader.ForRank(communicator);
        IBatchSource train = new MaskedSource(new BatchLoader<PackedWindow, CausalLmBatch>(new PackedWindows(dataset), new PackedWindowCollator(), loader),
            options.Get("fail", "") == "exit-mid-run" && r == 1 ? 3 : -1);

        var config = new LlamaConfig
        {
            HiddenSize = 64, IntermediateSize = 128, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2,
            HeadDim = 16, VocabSize = 320, MaxPositionEmbeddings = 64,
        };
        // Different seeds per rank: only the trainer's broadcast makes the replicas equal.
        using var model = new LlamaForCausalLM(config, dtype: ScalarType.Float32, seed: 1234 + 7919L * r);
        string? resume = options.Get("resume", "");
        var trainerOptions = new TrainerOptions
        {
            Optimizer = new() { LearningRate = 3e-3, GradientClipNorm = options.Double("clip", 0.5) },
            Schedule = new() { WarmupFraction = 0, MaxSteps = options.Int("steps", 4) },
            Precision = new() { Mode = Enum.Parse<TrainingPrecision>(options.Get("precision", "Float32")) },
            Checkpoint = new()
            {
                OutputDir = Path.Combine(output, "run"), SaveEveryNSteps = options.Int("save-every", 2),
                ResumeFrom = resume.Length == 0 ? null : resume, ExportFinalModel = false,
            },
            AccumulationSteps = options.Int("accum", 2), Threads = 1, Seed = 5,
            GradientBucketBytes = options.Int("bucket-kb", 16) * 1024L,
        };
        var norms = new List<double>();
        using var trainer = new Trainer(model, new CausalLmObjective(), train, trainerOptions, communicator: communicator);
        var result = trainer.Run(new Progress(u => { if (u.Kind == TrainingUpdateKind.Step) norms.Add(u.GradientNorm); }));
        var json = new
        {
            rank = r,
            size = communicator.Size,
            steps = result.Steps,
            losses = result.Losses,
            norms,
            checksum = ParameterChecksum.Compute(trainer.Model).ToString("x16"),
        };
        File.WriteAllText(Path.Combine(output, $"rank{r}.json"), JsonSerializer.Serialize(json));
    }

    /// <summary>A synchronous IProgress (System.Progress posts to the thread pool).</summary>
    private sealed class Progress(Action<TrainingUpdate> action) : IProgress<TrainingUpdate>
    {
        public void Report(TrainingUpdate value) => action(value);
    }

    /// <summary>Masks targets by window id; optionally exits the process after some batches (failure test).</summary>
    private sealed class MaskedSource(BatchLoader<PackedWindow, CausalLmBatch> inner, int exitAfter) : IShardedBatchSource
    {
        public int Rank => inner.Rank;

        public int WorldSize => inner.WorldSize;

        private int _served;

        public long? BatchesPerEpoch => inner.BatchesPerEpoch;

        public Type BatchType => typeof(CausalLmBatch);

        public void StartEpoch(int epoch, long seed) => inner.StartEpoch(epoch, seed);

        public JsonNode SavePosition() => inner.SavePosition();

        public void RestorePosition(int epoch, long seed, JsonNode position) => inner.RestorePosition(epoch, seed, position);

        public TrainingBatch? Next()
        {
            if (exitAfter >= 0 && _served++ == exitAfter)
            {
                Console.Error.WriteLine("rank 1: exiting in the middle of training on purpose (failure test)");
                Console.Error.Flush();
                Environment.Exit(3);
            }
            var batch = inner.Next();
            if (batch is null) return null;
            var targets = batch.Targets!;
            var ids = batch.ExampleIds!;
            var values = targets.data<long>().ToArray();
            int seq = (int)targets.shape[1];
            for (int i = 0; i < ids.Count; i++)
            {
                double rate = 0.1 + 0.6 * (ids[i] % 3) / 2.0;
                for (int t = 0; t < seq; t++)
                    if (StableHash.Unit(ids[i], t) < rate) values[i * seq + t] = TrainingBatch.IgnoreIndex;
            }
            using var masked = tensor(values, targets.shape);
            targets.copy_(masked);
            return batch;
        }
    }
}
