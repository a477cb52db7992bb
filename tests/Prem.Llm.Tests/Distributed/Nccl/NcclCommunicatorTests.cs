using Prem.Llm.Distributed;
using Prem.Llm.Distributed.Nccl;
using Prem.Llm.Distributed.Launch;

namespace Prem.Llm.Tests.Distributed.Nccl;

// NCCL itself cannot run here (no GPU, no libnccl): these cover the binding's failure path.
public class NcclCommunicatorTests
{
    [Fact]
    public void MissingLibraryIsAClearErrorNamingTheRank()
    {
        var info = new RankInfo(3, 8, 3, LauncherKind.TorchRun, "127.0.0.1", 29500);
        var e = Assert.Throws<DistributedException>(() =>
            NcclCommunicator.Create(info, TimeSpan.FromSeconds(1), library: "/nonexistent/libnccl.so.2"));
        Assert.Contains("rank 3/8", e.Message);
        Assert.Contains("NCCL not found", e.Message);
        Assert.Contains("/nonexistent/libnccl.so.2", e.Message);
    }

    [Fact]
    public void AutoPicksNcclForTorchRunAndMpiForMpiLaunchers()
    {
        Assert.Equal(DistributedBackend.Nccl, Communicators.Resolve(DistributedBackend.Auto, new RankInfo(0, 2, 0, LauncherKind.TorchRun)));
        Assert.Equal(DistributedBackend.Mpi, Communicators.Resolve(DistributedBackend.Auto, new RankInfo(0, 2, 0, LauncherKind.Slurm)));
        Assert.Equal(DistributedBackend.Single, Communicators.Resolve(DistributedBackend.Auto, RankInfo.Single));
        Assert.Equal(DistributedBackend.Mpi, Communicators.Resolve(DistributedBackend.Mpi, RankInfo.Single));
    }

    [Fact]
    public void SingleBackendRefusesAMultiRankLaunch()
    {
        var e = Assert.Throws<DistributedException>(() => Communicators.Create(DistributedBackend.Single, info: new RankInfo(1, 4, 1, LauncherKind.Slurm)));
        Assert.Contains("rank 1/4", e.Message);
    }
}
