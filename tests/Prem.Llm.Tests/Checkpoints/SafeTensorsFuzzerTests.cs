namespace Prem.Llm.Tests.Checkpoints;

public class SafeTensorsFuzzerTests
{
    [Fact]
    public void ThreeThousandSeededInputs_OnlyEverRaiseTheFormatException()
    {
        var fuzzer = new SafeTensorsFuzzer(CheckpointTestFiles.NewTempDirectory(), seed: 2026);
        var report = fuzzer.Run(3000);
        Assert.True(report.Failures.Count == 0, string.Join("\n", report.Failures.Take(20)));
        Assert.Equal(3000, report.Accepted + report.Rejected);
        // A fuzzer that never gets past the checks, or never trips them, is not testing anything.
        Assert.InRange(report.Rejected, 300, 2900);
        Assert.True(report.Accepted >= 100, $"only {report.Accepted} inputs were accepted");
    }

    [Fact]
    public void Mutations_AreDeterministicPerSeed()
    {
        var seed = File.ReadAllBytes(CheckpointTestFiles.TinyGqa)[..2200];
        var a = SafeTensorsMutator.Mutate(seed, new Random(5), true, out var howA);
        var b = SafeTensorsMutator.Mutate(seed, new Random(5), true, out var howB);
        Assert.Equal(a, b);
        Assert.Equal(howA, howB);
        Assert.NotEqual(seed, a);
    }
}
