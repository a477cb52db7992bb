using Prem.Llm.Distributed;

namespace Prem.Llm.Tests.Distributed;

public class RankInfoTests
{
    private static Dictionary<string, string> Env(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    [Fact]
    public void EmptyEnvironmentIsASingleProcess()
    {
        var info = RankInfo.FromEnvironment(Env());
        Assert.Equal(RankInfo.Single, info);
        Assert.True(info.IsRoot);
    }

    [Theory]
    [InlineData("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK", LauncherKind.OpenMpi)]
    [InlineData("PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID", LauncherKind.Hydra)]
    [InlineData("SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID", LauncherKind.Slurm)]
    [InlineData("RANK", "WORLD_SIZE", "LOCAL_RANK", LauncherKind.TorchRun)]
    public void EachLauncherIsRead(string rank, string size, string local, LauncherKind kind)
    {
        var info = RankInfo.FromEnvironment(Env((rank, "11"), (size, "16"), (local, "3")));
        Assert.Equal(new RankInfo(11, 16, 3, kind), info);
        Assert.False(info.IsRoot);
    }

    [Fact]
    public void MpiLaunchersWinOverTorchRunNamesAndMasterIsKept()
    {
        var info = RankInfo.FromEnvironment(Env(("OMPI_COMM_WORLD_RANK", "1"), ("OMPI_COMM_WORLD_SIZE", "2"),
            ("RANK", "0"), ("WORLD_SIZE", "8"), ("MASTER_ADDR", " node01 "), ("MASTER_PORT", "29500")));
        Assert.Equal(LauncherKind.OpenMpi, info.Launcher);
        Assert.Equal((1, 2, 0), (info.Rank, info.Size, info.LocalRank));
        Assert.Equal("node01", info.MasterAddress);
        Assert.Equal(29500, info.MasterPort);
    }

    [Fact]
    public void SlurmWinsOverTorchRun()
    {
        var info = RankInfo.FromEnvironment(Env(("SLURM_PROCID", "5"), ("SLURM_NTASKS", "16"), ("SLURM_LOCALID", "5"), ("RANK", "0"), ("WORLD_SIZE", "1")));
        Assert.Equal(new RankInfo(5, 16, 5, LauncherKind.Slurm), info);
    }

    [Fact]
    public void MissingLocalRankDefaultsToZero()
    {
        var info = RankInfo.FromEnvironment(Env(("PMI_RANK", "1"), ("PMI_SIZE", "2")));
        Assert.Equal(0, info.LocalRank);
    }

    [Theory]
    [InlineData("RANK", "4", "WORLD_SIZE", "4", "rank 4/4")]
    [InlineData("RANK", "x", "WORLD_SIZE", "4", "RANK='x'")]
    [InlineData("RANK", "0", "WORLD_SIZE", "0", "WORLD_SIZE=0")]
    [InlineData("PMI_RANK", "1", "OTHER", "1", "PMI_SIZE is not")]
    [InlineData("MASTER_PORT", "70000", "OTHER", "1", "MASTER_PORT=70000")]
    public void BadEnvironmentsAreNamed(string k1, string v1, string k2, string v2, string expected)
    {
        var e = Assert.Throws<DistributedException>(() => RankInfo.FromEnvironment(Env((k1, v1), (k2, v2))));
        Assert.Contains(expected, e.Message);
    }
}
