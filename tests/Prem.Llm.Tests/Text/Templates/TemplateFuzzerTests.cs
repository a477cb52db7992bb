namespace Prem.Llm.Tests.Text.Templates;

public class TemplateFuzzerTests
{
    [Fact]
    public void TwoThousandSeededInputs_GiveAnOutputOrATemplateException()
    {
        var report = new TemplateFuzzer(seed: 2026).Run(2000);
        Assert.True(report.Failures.Count == 0, string.Join("\n", report.Failures.Take(20)));
        // A fuzzer whose inputs all fail to parse, or all render, tests little.
        Assert.InRange(report.Rendered, 100, 1900);
        Assert.InRange(report.Rejected, 100, 1900);
    }

    [Fact]
    public void Mutations_AreDeterministicPerSeed()
    {
        string a = TemplateMutator.Mutate("{% if x %}{{ y }}{% endif %}", new Random(5), out string howA);
        string b = TemplateMutator.Mutate("{% if x %}{{ y }}{% endif %}", new Random(5), out string howB);
        Assert.Equal(a, b);
        Assert.Equal(howA, howB);
    }
}
