using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class HfTokenizerFuzzerTests
{
    [Fact]
    public void Seeds_LoadAndEncode()
    {
        foreach (string seed in HfTokenizerFuzzer.Seeds())
        {
            var tokenizer = HfTokenizer.FromJson(System.Text.Encoding.UTF8.GetBytes(seed), "seed", new HfTokenizerConfig());
            Assert.NotEmpty(tokenizer.EncodeAsHf("hello world"));
            var ids = tokenizer.EncodeAsHf("hello world");
            Assert.True(tokenizer.Decode(ids).Contains("hello", StringComparison.Ordinal), $"[{string.Join(",", ids)}] → '{tokenizer.Decode(ids)}'");
        }
    }

    [Fact]
    public void TwoThousandSeededInputs_OnlyEverRaiseTextDataException()
    {
        var report = new HfTokenizerFuzzer(seed: 2026).Run(2000);
        Assert.True(report.Failures.Count == 0, string.Join("\n", report.Failures.Take(20)));
        Assert.Equal(2000, report.Accepted + report.Rejected);
        // A fuzzer that never gets past the checks, or never trips them, is not testing anything.
        Assert.InRange(report.Rejected, 200, 1900);
        Assert.True(report.Accepted >= 100, $"only {report.Accepted} inputs were accepted");
    }

    [Fact]
    public void Mutations_AreDeterministicPerSeed()
    {
        string seed = HfTokenizerFuzzer.Seeds()[1];
        var a = HfTokenizerFuzzer.Mutate(seed, new Random(5), out var howA);
        var b = HfTokenizerFuzzer.Mutate(seed, new Random(5), out var howB);
        Assert.Equal(a, b);
        Assert.Equal(howA, howB);
    }
}
