using Prem.Llm.Objectives;
using Prem.Llm.Tests.Distributed;
using Prem.Llm.Training;

namespace Prem.Llm.Tests.Training;

// In-process checks of the trainer's data-parallel arithmetic with a communicator whose ranks all
// hold this rank's data (sums are 2×). Two ranks with identical shards form a global batch of two
// copies of the data: its per-unit mean loss and gradient are those of one copy. With the global
// unit count (2U) and summed gradients the trainer reproduces the single-process run bit for bit
// (every scale is a power of two); an average over ranks would halve the gradient and its norm.
public class TrainerRanksTests
{
    static TrainerOptions Options(string? output = null) => new()
    {
        Optimizer = new() { LearningRate = 1e-2, GradientClipNorm = 0.5 }, Schedule = new() { MaxSteps = 4, WarmupFraction = 0 },
        Precision = new() { Mode = TrainingPrecision.Float32 }, Checkpoint = new() { ExportFinalModel = false, OutputDir = output },
        AccumulationSteps = 2, GradientBucketBytes = 4096,
    };

    static (TrainingResult Result, List<double> Norms, Dictionary<string, float[]> Weights) Train(Prem.Llm.Distributed.ICommunicator? communicator, string? output = null)
    {
        // Each rank starts from other weights: the broadcast (here: rank 0's own) is what aligns them.
        using var model = TrainingFixtures.TinyModel(seed: 3);
        var norms = new List<double>();
        using var trainer = new Trainer(model, new CausalLmObjective(), TrainingFixtures.CountingSource(8), Options(output), communicator: communicator);
        var result = trainer.Run(new Sink(u => { if (u.Kind == TrainingUpdateKind.Step) norms.Add(u.GradientNorm); }));
        return (result, norms, TrainingFixtures.Weights(model));
    }

    sealed class Sink(Action<TrainingUpdate> action) : IProgress<TrainingUpdate>
    {
        public void Report(TrainingUpdate value) => action(value);
    }

    [Fact]
    public void Two_identical_ranks_reproduce_the_single_process_run_exactly()
    {
        var one = Train(null);
        var replica = new ReplicaCommunicator(2);
        var two = Train(replica);
        Assert.Equal(one.Result.Losses, two.Result.Losses);
        Assert.Equal(one.Norms, two.Norms);
        Assert.Contains(one.Norms, n => n > 0.5);
        foreach (var (name, w) in one.Weights) Assert.Equal(0, TrainingFixtures.MaxAbsDiff(w, two.Weights[name]));
        Assert.True(replica.Calls > 4 * 3, $"only {replica.Calls} collectives");
    }

    [Fact]
    public void Only_rank_zero_writes_metrics_and_checkpoints_and_other_ranks_log_to_a_file()
    {
        var folder = TrainingFixtures.TempDir();
        Train(new ReplicaCommunicator(2, rank: 1), folder);
        Assert.False(File.Exists(Path.Combine(folder, "metrics.jsonl")));
        Assert.False(Directory.Exists(Path.Combine(folder, "checkpoints")));
        var log = File.ReadAllLines(Path.Combine(folder, "logs", "rank1.log"));
        Assert.Equal(4, log.Count(l => l.Contains("rank 1/2 Step step", StringComparison.Ordinal)));

        var root = TrainingFixtures.TempDir();
        Train(new ReplicaCommunicator(2, rank: 0), root);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(root, "metrics.jsonl")).Length);
        Assert.Single(Directory.GetDirectories(Path.Combine(root, "checkpoints")));
        Assert.False(Directory.Exists(Path.Combine(root, "logs")));
    }

    [Fact]
    public void Diverged_weights_after_the_broadcast_fail_at_start()
    {
        using var model = TrainingFixtures.TinyModel(seed: 3);
        var e = Assert.Throws<Prem.Llm.Distributed.DistributedException>(() =>
            new Trainer(model, new CausalLmObjective(), TrainingFixtures.CountingSource(8), Options(), communicator: new ReplicaCommunicator(2, corruptBroadcast: true)));
        Assert.Contains("parameters differ from rank 0's", e.Message);
    }
}
