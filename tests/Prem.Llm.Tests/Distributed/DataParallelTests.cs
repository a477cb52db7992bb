using Prem.Llm.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Distributed;

public class DataParallelTests
{
    private static nn.Module<Tensor, Tensor> Model(long seed)
    {
        torch.manual_seed(seed);
        return nn.Sequential(nn.Linear(8, 16), nn.Linear(16, 4, hasBias: false));
    }

    private static void Backward(nn.Module<Tensor, Tensor> model)
    {
        torch.manual_seed(99);
        model.forward(randn(5, 8)).square().sum().backward();
    }

    private static float[][] Grads(nn.Module model) => model.parameters().Select(p => p.grad!.data<float>().ToArray()).ToArray();

    [Theory]
    [InlineData(GradientReduction.Average, 1.0)]
    [InlineData(GradientReduction.Sum, 3.0)]
    public void GradientsAreSummedAndScaled(GradientReduction reduction, double factor)
    {
        using var model = Model(1);
        Backward(model);
        var before = Grads(model);
        using var dp = new DataParallel(new ReplicaCommunicator(3), reduction, bucketBytes: 1024);
        dp.AllReduceGradients(model);
        var after = Grads(model);
        for (int i = 0; i < before.Length; i++)
            for (int j = 0; j < before[i].Length; j++)
                Assert.Equal(before[i][j] * factor, after[i][j], 5);
    }

    [Fact]
    public void TheReductionIsRequiredBecauseNoDefaultFitsEveryObjective()
    {
        foreach (var constructor in typeof(DataParallel).GetConstructors())
            Assert.Contains(constructor.GetParameters(), p => p.ParameterType == typeof(GradientReduction) && !p.HasDefaultValue);
        using var dp = new DataParallel(new ReplicaCommunicator(2), GradientReduction.Sum);
        Assert.Equal(GradientReduction.Sum, dp.Reduction);
        Assert.Equal(DataParallel.DefaultBucketBytes, dp.BucketBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataParallel(new ReplicaCommunicator(2), (GradientReduction)7));
    }

    [Fact]
    public void BucketsHoldAtMostBucketBytesInReverseOrder()
    {
        // Parameters in reverse order: 64 (w2), 16 (b1), 128 (w1) floats; a 100-float bucket holds
        // [w2, b1] (80), then w1 (128 > 100) goes alone: 2 calls.
        using var model = Model(1);
        Backward(model);
        var comm = new ReplicaCommunicator(2);
        using var dp = new DataParallel(comm, GradientReduction.Average, bucketBytes: 100 * 4);
        dp.AllReduceGradients(model);
        Assert.Equal(2, dp.LastBucketCount);
        Assert.Equal(2, comm.Calls);
        using var big = new DataParallel(comm, GradientReduction.Average, bucketBytes: 1 << 20);
        big.AllReduceGradients(model);
        Assert.Equal(1, big.LastBucketCount);
    }

    [Fact]
    public void ClipGradNormMatchesTheFormula()
    {
        using var model = Model(2);
        Backward(model);
        var grads = Grads(model);
        double norm = Math.Sqrt(grads.SelectMany(g => g).Sum(x => (double)x * x));
        double returned = DataParallel.ClipGradNorm(model.parameters(), norm / 4);
        Assert.Equal(norm, returned, 4);
        double after = Math.Sqrt(Grads(model).SelectMany(g => g).Sum(x => (double)x * x));
        Assert.Equal(norm / 4, after, 4);
        // A norm below the limit leaves the gradients alone.
        DataParallel.ClipGradNorm(model.parameters(), norm);
        Assert.Equal(after, Math.Sqrt(Grads(model).SelectMany(g => g).Sum(x => (double)x * x)), 6);
    }

    [Fact]
    public void ShardedNormSumsSquaresOverRanks()
    {
        using var dp = new DataParallel(new ReplicaCommunicator(4), GradientReduction.Sum);
        using var g = tensor(new[] { 3f, 4f });
        Assert.Equal(10.0, dp.ShardedGradNorm([g]), 6); // sqrt(4 × 25)
    }

    [Fact]
    public void VerifyParametersEqualNamesTheRanksThatDiffer()
    {
        using var model = Model(3);
        new DataParallel(new ReplicaCommunicator(2, rank: 1), GradientReduction.Sum).VerifyParametersEqual(model);
        var e = Assert.Throws<DistributedException>(() => new DataParallel(new ReplicaCommunicator(2, rank: 1, corruptBroadcast: true), GradientReduction.Sum).VerifyParametersEqual(model));
        Assert.Contains("rank 1/2: parameters differ from rank 0's on rank(s) 1 (", e.Message);
    }

    [Fact]
    public void ChecksumSeesOneChangedElement()
    {
        using var a = Model(4);
        using var b = Model(4);
        Assert.Equal(ParameterChecksum.Compute(a), ParameterChecksum.Compute(b));
        using (no_grad()) b.parameters().First()[0, 0].add_(1e-6f);
        Assert.NotEqual(ParameterChecksum.Compute(a), ParameterChecksum.Compute(b));
    }
}
