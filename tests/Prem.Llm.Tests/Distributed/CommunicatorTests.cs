using Prem.Llm.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Distributed;

public class CommunicatorTests
{
    [Fact]
    public void Bf16TensorsAreReducedInFloat32AndWrittenBack()
    {
        using var t = tensor(new[] { 1.5f, -2f, 3.25f }).to(ScalarType.BFloat16);
        new ReplicaCommunicator(3).AllReduce(t);
        Assert.Equal(ScalarType.BFloat16, t.dtype);
        Assert.Equal(new[] { 4.5f, -6f, 9.75f }, t.to(ScalarType.Float32).data<float>().ToArray());
    }

    [Fact]
    public void StridedViewsAreReducedInPlaceAndTheRestIsUntouched()
    {
        using var grid = arange(12, ScalarType.Float32).reshape(3, 4);
        using var column = grid.select(1, 2);
        new ReplicaCommunicator(2).AllReduce(column);
        var expected = Enumerable.Range(0, 12).Select(i => i % 4 == 2 ? 2f * i : i).ToArray();
        Assert.Equal(expected, grid.data<float>().ToArray());
    }

    [Fact]
    public void Float64AndSliceOffsetsUseTheRightMemory()
    {
        using var t = arange(10, ScalarType.Float64);
        using var tail = t.narrow(0, 6, 4);
        new ReplicaCommunicator(4).AllReduce(tail);
        Assert.Equal(new double[] { 0, 1, 2, 3, 4, 5, 24, 28, 32, 36 }, t.data<double>().ToArray());
    }

    [Fact]
    public void AverageDividesTheSumBySize()
    {
        var comm = new ReplicaCommunicator(4);
        var xs = new[] { 1f, 2f, -8f };
        comm.AllReduceAverage(xs);
        Assert.Equal(new[] { 1f, 2f, -8f }, xs);
        using var t = tensor(new[] { 3.0, 5.0 });
        comm.AllReduceAverage(t);
        Assert.Equal(new[] { 3.0, 5.0 }, t.data<double>().ToArray());
        Assert.Equal(28.0, comm.AllReduceValue(7.0));
    }

    [Fact]
    public void UnsupportedDtypeAndBadRootNameTheRank()
    {
        var comm = new ReplicaCommunicator(2, rank: 1);
        using var ints = arange(3, ScalarType.Int64);
        Assert.Contains("rank 1/2: all-reduce of a Int64 tensor", Assert.Throws<DistributedException>(() => comm.AllReduce(ints)).Message);
        Assert.Contains("broadcast root 2 is outside [0, 2)", Assert.Throws<DistributedException>(() => comm.Broadcast(new byte[1].AsSpan(), 2)).Message);
    }

    [Fact]
    public void SingleProcessIsTheIdentity()
    {
        using var comm = new SingleProcessCommunicator();
        var xs = new[] { 1f, 2f };
        comm.AllReduce(xs.AsSpan());
        comm.AllReduceAverage(xs);
        comm.Barrier();
        Assert.Equal(new[] { 1f, 2f }, xs);
        Assert.Equal((0, 1, 0, "single"), (comm.Rank, comm.Size, comm.LocalRank, comm.Backend));
        Assert.Throws<DistributedException>(() => comm.Broadcast(new byte[1].AsSpan(), 1));
    }
}
