using Prem.Llm.Distributed;

namespace Prem.Llm.Tests.Distributed;

public class CollectiveWatchdogTests
{
    [Fact]
    public void AHungCollectiveCallsAbortWithTheRankAndOperation()
    {
        string? message = null;
        using var fired = new ManualResetEventSlim();
        using var watchdog = new CollectiveWatchdog(TimeSpan.FromMilliseconds(200), () => "rank 1/2", m => { message = m; fired.Set(); })
        {
            AbortGrace = TimeSpan.FromHours(1),
        };
        using (watchdog.Watch("all-reduce of 7 float32 values"))
            Assert.True(fired.Wait(TimeSpan.FromSeconds(10)));
        Assert.Contains("rank 1/2: all-reduce of 7 float32 values did not complete within 0.2 s", message);
    }

    [Fact]
    public void CollectivesThatReturnInTimeNeverAbort()
    {
        int aborts = 0;
        using (var watchdog = new CollectiveWatchdog(TimeSpan.FromMilliseconds(300), () => "rank 0/2", _ => Interlocked.Increment(ref aborts)))
        {
            for (int i = 0; i < 5; i++)
                using (watchdog.Watch("barrier")) Thread.Sleep(100);
            Thread.Sleep(500); // idle time between collectives does not count
        }
        Assert.Equal(0, aborts);
    }
}
