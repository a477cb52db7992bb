namespace Prem.Llm.Tests.Gguf;

public sealed class GgufFuzzerTests
{
    [Fact]
    public void TwoThousandSeededInputs_OnlyEverRaiseTheFormatException()
    {
        var report = new GgufFuzzer(TestData.TempDirectory(), seed: 2026).Run(2000);
        Assert.True(report.Failures.Count == 0, string.Join("\n", report.Failures.Take(20)));
        Assert.Equal(2000, report.Accepted + report.Rejected);
        // A fuzzer that never gets past the checks, or never trips them, is not testing anything.
        Assert.InRange(report.Rejected, 200, 1900);
        Assert.True(report.Accepted >= 100, $"only {report.Accepted} inputs were accepted");
    }

    [Fact]
    public void Seeds_AreValidAndImportable()
    {
        var seeds = GgufFuzzer.Seeds();
        var report = new GgufFuzzer(TestData.TempDirectory(), seed: 1).Run(0);
        Assert.Empty(report.Failures);
        string path = GgufTestFiles.Save(seeds[2]);
        using var model = Prem.Llm.Gguf.GgufImporter.Load(path);
        Assert.Equal(2, model.Config.NumHiddenLayers);
        Assert.Equal("linear", model.Config.RopeScaling!.RopeType);
        Assert.True(model.Config.TieWordEmbeddings);
    }

    [Fact]
    public void Mutations_AreDeterministic()
    {
        var seed = GgufTestFiles.Small();
        var a = GgufMutator.Mutate(seed, new Random(5), out string howA);
        var b = GgufMutator.Mutate(seed, new Random(5), out string howB);
        Assert.Equal(a, b);
        Assert.Equal(howA, howB);
    }
}
