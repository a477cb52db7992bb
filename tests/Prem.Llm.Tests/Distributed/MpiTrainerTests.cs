using System.Text.Json;
using Prem.Llm.Tests.Data;

namespace Prem.Llm.Tests.Distributed;

// The real Trainer under mpirun: two ranks (one thread each) each read their shard of every global
// batch of 4 packed windows through the packed BatchLoader; the reference is one process reading the
// whole global batch. Targets are masked at a rate that differs per window, so the ranks hold
// different numbers of trained tokens per step: only the all-reduced unit count with summed
// gradients matches the reference (averaging the ranks' gradients would not).
public class MpiTrainerTests : IClassFixture<ToolReport>
{
    private static readonly Lazy<string> _data = new(() =>
    {
        var folder = TestData.TempDirectory();
        PackedTokenDatasetTests.Prepare(folder, 20, 32);
        return Path.Combine(folder, "out");
    });

    private static string Args(string extra) => $"trainer --data \"{_data.Value}\" --steps 4 --accum 2 --clip 0.5 {extra}";

    private static double[] Doubles(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.GetDouble()).ToArray();

    private static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"{what} {i}: {expected[i]} vs {actual[i]}");
    }

    private static void AssertMatchesOneProcess(MpiJob parallel, MpiJob single)
    {
        Assert.True(parallel.ExitCode == 0, parallel.Output);
        Assert.True(single.ExitCode == 0, single.Output);
        var r0 = parallel.Rank(0);
        var r1 = parallel.Rank(1);
        var one = single.Rank(0);
        // Replicas bit-identical after training (rank seeds differ: the broadcast at start matters).
        Assert.Equal(r0.GetProperty("checksum").GetString(), r1.GetProperty("checksum").GetString());
        // Loss reported as the global value on every rank.
        Assert.Equal(Doubles(r0, "losses"), Doubles(r1, "losses"));
        var losses = Doubles(one, "losses");
        AssertClose(losses, Doubles(r0, "losses"), 1e-5, "loss");
        // The norms (rank 0's progress) are the global ones and clipping at 0.5 is active.
        var norms = Doubles(one, "norms");
        AssertClose(norms, Doubles(r0, "norms"), 1e-4, "grad norm");
        Assert.Contains(norms, n => n > 0.5);
        Assert.NotEqual(losses[0], losses[^1]);
    }

    [SkippableFact]
    public void TwoRanksFollowTheOneProcessTrajectoryWithTheSameGlobalBatch()
    {
        var parallel = MpiJob.OpenMpi(2, Args("--batch 2"));
        AssertMatchesOneProcess(parallel, MpiJob.Single(Args("--batch 4")));
        // Rank 0 alone wrote metrics and checkpoints; rank 1 logged to its own file.
        var run = Path.Combine(parallel.OutputFolder, "run");
        Assert.Equal(4, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        Assert.Equal(["step-00000002", "step-00000004"], Directory.GetDirectories(Path.Combine(run, "checkpoints")).Select(Path.GetFileName).Order());
        Assert.Equal(["rank1.log"], Directory.GetFiles(Path.Combine(run, "logs")).Select(Path.GetFileName));
        Assert.Contains("rank 1/2 Step step 4/4", File.ReadAllText(Path.Combine(run, "logs", "rank1.log")));
    }

    [SkippableFact]
    public void ResumingATwoRankCheckpointOnTwoRanksContinuesExactly()
    {
        var whole = MpiJob.OpenMpi(2, Args("--batch 2"));
        Assert.True(whole.ExitCode == 0, whole.Output);
        var checkpoint = Path.Combine(whole.OutputFolder, "run", "checkpoints", "step-00000002");
        var resumed = MpiJob.OpenMpi(2, Args($"--batch 2 --resume \"{checkpoint}\""));
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        var w = whole.Rank(0);
        var r = resumed.Rank(0);
        Assert.Equal(Doubles(w, "losses")[2..], Doubles(r, "losses"));
        Assert.Equal(w.GetProperty("checksum").GetString(), r.GetProperty("checksum").GetString());
        Assert.Equal(r.GetProperty("checksum").GetString(), resumed.Rank(1).GetProperty("checksum").GetString());
    }

    [SkippableFact]
    public void ResumingOnOneRankWithTheSameGlobalBatchContinuesTheTwoRankRun()
    {
        var whole = MpiJob.OpenMpi(2, Args("--batch 2 --save-every 2"));
        Assert.True(whole.ExitCode == 0, whole.Output);
        var checkpoint = Path.Combine(whole.OutputFolder, "run", "checkpoints", "step-00000002");
        var single = MpiJob.Single(Args($"--batch 4 --resume \"{checkpoint}\""));
        Assert.True(single.ExitCode == 0, single.Output);
        AssertClose(Doubles(whole.Rank(0), "losses")[2..], Doubles(single.Rank(0), "losses"), 1e-5, "loss");
        // Another global batch (2 × 1 process) is refused with the rule in the message.
        var other = MpiJob.Single(Args($"--batch 2 --resume \"{checkpoint}\""));
        Assert.NotEqual(0, other.ExitCode);
        Assert.Contains("global batches of 4 examples but this run's global batch (batch size × world size) is 2", other.Output);
    }

    [SkippableFact]
    public void ARankThatDiesMidTrainingEndsTheJob()
    {
        var job = MpiJob.OpenMpi(2, Args("--batch 2 --fail exit-mid-run --timeout 20"));
        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("rank 1: exiting in the middle of training", job.Output);
        Assert.True(job.Elapsed < TimeSpan.FromSeconds(30), $"took {job.Elapsed}");
    }

    [SkippableFact]
    public void ASourceShardedForAnotherWorldSizeEndsTheJobWithTheRule()
    {
        // Both ranks throw; the first to do so aborts the job, so only rank 0's line is certain.
        var job = MpiJob.OpenMpi(2, Args("--batch 2 --world 3"));
        Assert.NotEqual(0, job.ExitCode);
        Assert.Matches(@"rank [01]/2: the train batch source reads shard [01] of 3; build .*ForRank\(communicator\)", job.Output);
    }

    [SkippableFact]
    public void MpichRunsTheTrainerLikeOneProcess() =>
        AssertMatchesOneProcess(MpiJob.Mpich(2, Args("--batch 2")), MpiJob.Single(Args("--batch 4")));

    [SkippableFact]
    public void DpoReferenceLogProbsComputedOnTwoRanksEqualOneProcess()
    {
        var parallel = MpiJob.OpenMpi(2, "reference-cache --examples 10");
        var single = MpiJob.Single("reference-cache --examples 10");
        Assert.True(parallel.ExitCode == 0, parallel.Output);
        Assert.True(single.ExitCode == 0, single.Output);
        // Every rank ends with all records; rank 0 alone wrote the file.
        Assert.Equal(10, parallel.Rank(0).GetProperty("count").GetInt32());
        Assert.Equal(10, parallel.Rank(1).GetProperty("count").GetInt32());
        var split = Prem.Llm.Objectives.CachedReferenceLogProbs.Load(Path.Combine(parallel.OutputFolder, "reference.bin"));
        var whole = Prem.Llm.Objectives.CachedReferenceLogProbs.Load(Path.Combine(single.OutputFolder, "reference.bin"));
        Assert.Equal(10, split.Count);
        var ids = Enumerable.Range(0, 10).Select(i => (long)i).ToArray();
        Prem.Llm.Data.CausalLmBatch Rows() => new(TorchSharp.torch.zeros(10, 1, TorchSharp.torch.ScalarType.Int64),
            labels: TorchSharp.torch.zeros(10, 1, TorchSharp.torch.ScalarType.Int64));
        using var probe = new Prem.Llm.Data.PreferenceBatch(Rows(), Rows(), ids);
        var a = split.Get(probe);
        var b = whole.Get(probe);
        foreach (var (x, y) in new[] { (a.ChosenSums, b.ChosenSums), (a.ChosenCounts, b.ChosenCounts), (a.RejectedSums, b.RejectedSums), (a.RejectedCounts, b.RejectedCounts) })
        {
            // The same examples in batches of the same shapes: the same float32 values.
            Assert.Equal(y.data<float>().ToArray(), x.data<float>().ToArray());
            Assert.All(y.data<float>().ToArray(), v => Assert.NotEqual(0f, v));
        }
    }
}
