using Prem.Llm.Evaluation;

namespace Prem.Llm.Tests.Evaluation;

public class PerplexityResultTests
{
    [Fact]
    public void Metrics_follow_their_formulas()
    {
        var r = new PerplexityResult(LogLikelihood: -20, Tokens: 10, Bytes: 40, Words: 8);
        Assert.Equal(Math.Exp(2), r.TokenPerplexity, 12);
        Assert.Equal(Math.Exp(0.5), r.BytePerplexity, 12);
        Assert.Equal(Math.Exp(2.5), r.WordPerplexity, 12);
        Assert.Equal(0.5 / Math.Log(2), r.BitsPerByte, 12);
    }

    [Fact]
    public void Sum_adds_totals_before_dividing()
    {
        var sum = new PerplexityResult(-10, 5, 10, 2) + new PerplexityResult(-30, 15, 50, 6);
        Assert.Equal(new PerplexityResult(-40, 20, 60, 8), sum);
        Assert.Equal(Math.Exp(2), sum.TokenPerplexity, 12);
    }
}
