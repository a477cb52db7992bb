using System.Text.Json;
using Prem.Llm.Distributed;
using Prem.Llm.Distributed.Mpi;

namespace Prem.Llm.Tests.Distributed.Mpi;

// Real multi-process runs: Open MPI's mpirun (installed by build/install-mpi.sh) and Debian's MPICH
// unpacked into .tools/mpich, each rank a Prem.Llm.MpiHost process with one thread. Without the tools
// these tests are skipped with the install script to run (failed under CI=true): see ToolRequirement.
public class MpiCommunicatorTests : IClassFixture<ToolReport>
{
    private static float[] Floats(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.GetSingle()).ToArray();

    private static void CheckCollectives(MpiJob job, int n, string family)
    {
        Assert.True(job.ExitCode == 0, job.Output);
        for (int r = 0; r < n; r++)
        {
            var e = job.Rank(r);
            Assert.Equal(r, e.GetProperty("rank").GetInt32());
            Assert.Equal(n, e.GetProperty("size").GetInt32());
            Assert.Equal(r, e.GetProperty("local_rank").GetInt32());
            Assert.Contains(family, e.GetProperty("backend").GetString());
            // Independent reference: input i of rank q is q·1000 + i + 0.25.
            var sum = Floats(e, "sum");
            for (int i = 0; i < 1000; i++)
            {
                Assert.Equal(Enumerable.Range(0, n).Sum(q => q * 1000f + i + 0.25f), sum[i]);
                Assert.Equal((n - 1) * 1000f + i + 0.25f, Floats(e, "max")[i]);
                Assert.Equal(i + 0.25f, Floats(e, "min")[i]);
            }
            var dbl = e.GetProperty("dbl").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            for (int i = 0; i < 10; i++) Assert.Equal(Enumerable.Range(1, n).Sum(q => q * Math.Pow(10, -i)), dbl[i], 12);
            var average = Floats(e, "average");
            for (int i = 0; i < 8; i++) Assert.Equal(Enumerable.Range(0, n).Average(q => q * 8 + i), average[i], 5);
            var bf16 = Floats(e, "bf16");
            for (int i = 0; i < 16; i++) Assert.Equal(Enumerable.Range(0, n).Sum(q => q + i / 4f), bf16[i]);
            var grid = Floats(e, "grid");
            for (int i = 0; i < 12; i++)
                Assert.Equal(i % 4 == 1 ? Enumerable.Range(0, n).Sum(q => i + 100f * q) : i + 100f * r, grid[i]);
            var bytes = e.GetProperty("bytes").EnumerateArray().Select(x => x.GetInt32()).ToArray();
            Assert.Equal(Enumerable.Range(0, 300).Select(i => (i * 7 + 3) & 0xff), bytes);
            Assert.All(e.GetProperty("broadcast").EnumerateArray(), x => Assert.Equal(42.0, x.GetDouble()));
        }
    }

    [SkippableFact]
    public void OpenMpiCollectivesMatchIndependentSums() => CheckCollectives(MpiJob.OpenMpi(2, "allreduce"), 2, "Open MPI");

    [SkippableFact]
    public void MpichCollectivesMatchIndependentSums() => CheckCollectives(MpiJob.Mpich(2, "allreduce"), 2, "MPICH");

    private static void CheckTraining(MpiJob parallel, MpiJob single)
    {
        Assert.True(parallel.ExitCode == 0, parallel.Output);
        Assert.True(single.ExitCode == 0, single.Output);
        var r0 = parallel.Rank(0);
        var r1 = parallel.Rank(1);
        // Replicas stay bit-identical (the host also checks it in-process after training).
        Assert.Equal(r0.GetProperty("checksum").GetString(), r1.GetProperty("checksum").GetString());
        var lossesDp = r0.GetProperty("losses").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var lossesOne = single.Rank(0).GetProperty("losses").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.Equal(lossesOne.Length, lossesDp.Length);
        for (int i = 0; i < lossesOne.Length; i++) Assert.True(Math.Abs(lossesOne[i] - lossesDp[i]) < 1e-4, $"step {i}: {lossesOne[i]} vs {lossesDp[i]}");
        var normsDp = r1.GetProperty("norms").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var normsOne = single.Rank(0).GetProperty("norms").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        for (int i = 0; i < normsOne.Length; i++) Assert.True(Math.Abs(normsOne[i] - normsDp[i]) < 1e-4 * normsOne[i], $"norm {i}: {normsOne[i]} vs {normsDp[i]}");
        // Learning happened (the comparison is not between two idle runs).
        Assert.NotEqual(lossesOne[0], lossesOne[^1]);
    }

    [SkippableFact]
    public void OpenMpiAdamWTrainingMatchesOneProcessWithTheSameGlobalBatch()
    {
        const string args = "train --optimizer adamw --steps 4 --global-batch 8 --accum 2";
        CheckTraining(MpiJob.OpenMpi(2, args), MpiJob.Single(args));
    }

    [SkippableFact]
    public void MpichSgdTrainingMatchesOneProcessWithTheSameGlobalBatch()
    {
        const string args = "train --optimizer sgd --steps 3 --global-batch 4 --accum 1";
        CheckTraining(MpiJob.Mpich(2, args), MpiJob.Single(args));
    }

    [SkippableFact]
    public void ARankThatExitsEarlyEndsTheJobNamingIt()
    {
        var job = MpiJob.OpenMpi(2, "allreduce --fail exit-early --timeout 20");
        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("rank 1/2: exiting early", job.Output);
        Assert.True(job.Elapsed < TimeSpan.FromSeconds(20), $"took {job.Elapsed}");
    }

    [SkippableFact]
    public void AHungRankIsAbortedByTheWatchdog()
    {
        var job = MpiJob.OpenMpi(2, "allreduce --fail hang --timeout 3");
        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("rank 0/2: all-reduce (Sum) of 1000 float32 values did not complete within 3 s", job.Output);
        Assert.True(job.Elapsed < TimeSpan.FromSeconds(30), $"took {job.Elapsed}");
    }

    [SkippableFact]
    public void AWrongWorldSizeFailsOnEveryRank()
    {
        var job = MpiJob.OpenMpi(2, "allreduce --expect-world 3");
        Assert.NotEqual(0, job.ExitCode);
        // Every rank checks; whichever reports first ends the job (mpirun may kill the other before it prints).
        Assert.Matches(@"rank [01]/2: the job was configured for 3 ranks but was launched with 2", job.Output);
    }

    [Fact]
    public void AMissingMpiLibraryIsAClearErrorNamingTheRank()
    {
        var e = Assert.Throws<DistributedException>(() =>
            MpiCommunicator.Create(TimeSpan.FromSeconds(5), new RankInfo(2, 4, 0, LauncherKind.Slurm), "/nonexistent/libmpi.so.40"));
        Assert.Contains("rank 2/4: no MPI library found", e.Message);
        Assert.Contains("/nonexistent/libmpi.so.40", e.Message);
    }

    [SkippableFact]
    public void MpichHandleConstantsMatchMpiH()
    {
        ToolRequirement.Mpich();
        var header = File.ReadAllText(Directory.EnumerateFiles(Path.Combine(MpiJob.MpichRoot, "include"), "mpi.h", SearchOption.AllDirectories).First());
        int Define(string name)
        {
            var m = System.Text.RegularExpressions.Regex.Match(header, $@"#define {name}\s+\(?\(MPI_\w+\)\s*\(?0x([0-9a-fA-F]+)");
            Assert.True(m.Success, name);
            return Convert.ToInt32(m.Groups[1].Value, 16);
        }
        var h = MpiHandles.Mpich;
        Assert.Equal(Define("MPI_COMM_WORLD"), (int)h.CommWorld);
        Assert.Equal(Define("MPI_FLOAT"), (int)h.Float);
        Assert.Equal(Define("MPI_DOUBLE"), (int)h.Double);
        Assert.Equal(Define("MPI_BYTE"), (int)h.Byte);
        Assert.Equal(Define("MPI_SUM"), (int)h.Sum);
        Assert.Equal(Define("MPI_MAX"), (int)h.Max);
        Assert.Equal(Define("MPI_MIN"), (int)h.Min);
        Assert.Equal(Define("MPI_ERRORS_RETURN"), (int)h.ErrorsReturn);
        Assert.Matches(@"#define MPI_IN_PLACE\s+\(void \*\) -1", header);
        Assert.Equal(-1, (long)h.InPlace);
    }
}
