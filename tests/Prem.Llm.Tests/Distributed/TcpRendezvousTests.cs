using System.Net;
using System.Net.Sockets;
using Prem.Llm.Distributed;

namespace Prem.Llm.Tests.Distributed;

public class TcpRendezvousTests
{
    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static Task<byte[]> Rank(int port, int rank, int size, byte[] payload, double seconds) =>
        Task.Factory.StartNew(() => TcpRendezvous.Exchange("127.0.0.1", port, rank, size, payload, TimeSpan.FromSeconds(seconds)),
            TaskCreationOptions.LongRunning);

    [Fact]
    public async Task EveryRankGetsRankZerosPayload()
    {
        int port = FreePort();
        var id = Enumerable.Range(0, 128).Select(i => (byte)(i * 13 + 1)).ToArray();
        // Joiners start first: they must retry until rank 0 listens.
        var joiners = Enumerable.Range(1, 3).Select(r => Rank(port, r, 4, new byte[128], 20)).ToList();
        await Task.Delay(200);
        var root = Rank(port, 0, 4, id, 20);
        var results = await Task.WhenAll(joiners.Append(root));
        Assert.All(results, r => Assert.Equal(id, r));
    }

    [Fact]
    public async Task AMissingRankTimesOutOnEveryRankThatCame()
    {
        int port = FreePort();
        var root = Rank(port, 0, 3, new byte[128], 2);
        var one = Rank(port, 1, 3, new byte[128], 2);
        var e0 = await Assert.ThrowsAsync<DistributedException>(() => root);
        var e1 = await Assert.ThrowsAsync<DistributedException>(() => one);
        Assert.Contains("rank 0/3", e0.Message);
        Assert.Contains("rank(s) 2 of 3 did not arrive", e0.Message);
        Assert.Contains("rank 1/3", e1.Message);
        Assert.Contains("did not arrive", e1.Message);
    }

    [Fact]
    public async Task MismatchedWorldSizeFailsOnBothSides()
    {
        int port = FreePort();
        var root = Rank(port, 0, 2, new byte[128], 10);
        var wrong = Rank(port, 1, 3, new byte[128], 10);
        var e0 = await Assert.ThrowsAsync<DistributedException>(() => root);
        var e1 = await Assert.ThrowsAsync<DistributedException>(() => wrong);
        Assert.Contains("world size mismatch: rank 0 expects 2 ranks, rank 1 was launched with 3", e0.Message);
        Assert.Contains("rank 1/3: rank 0 ended the rendezvous: world size mismatch", e1.Message);
    }

    [Fact]
    public void NoRankZeroIsATimeoutNamingTheAddress()
    {
        int port = FreePort();
        var e = Assert.Throws<DistributedException>(() => TcpRendezvous.Exchange("127.0.0.1", port, 1, 2, [], TimeSpan.FromSeconds(1)));
        Assert.Contains($"rank 1/2: could not reach rank 0's rendezvous at 127.0.0.1:{port}", e.Message);
    }

    [Fact]
    public void OneRankNeedsNoNetwork()
    {
        Assert.Equal(new byte[] { 1, 2, 3 }, TcpRendezvous.Exchange("127.0.0.1", 1, 0, 1, [1, 2, 3], TimeSpan.FromSeconds(1)));
    }
}
