using Prem.Llm.Distributed;
using Prem.Llm.Distributed.Launch;

namespace Prem.Llm.Tests.Distributed.Launch;

public class CommunicatorsTests
{
    [Fact]
    public void FromEnvironment_without_a_launcher_is_one_process()
    {
        // The test runner is not started by a launcher (the mpirun tests start separate host processes).
        Assert.Equal(LauncherKind.None, RankInfo.FromEnvironment().Launcher);
        using var communicator = Communicators.FromEnvironment();
        Assert.IsType<SingleProcessCommunicator>(communicator);
        Assert.Equal((0, 1), (communicator.Rank, communicator.Size));
    }
}
