using Prem.Llm.Evaluation;

namespace Prem.Llm.Tests.Evaluation;

public class EvalProgressTests
{
    [Fact]
    public void Eta_extrapolates_the_average_rate()
    {
        var p = new EvalProgress(250, 1000, TimeSpan.FromSeconds(10));
        Assert.Equal(0.25, p.Fraction);
        Assert.Equal(TimeSpan.FromSeconds(30), p.Eta);
        Assert.Equal("[##--------] 25.0% 250/1000 requests, 25.0 req/s, ETA 00:00:30", p.Render(10));
        Assert.Null(new EvalProgress(0, 10, TimeSpan.Zero).Eta);
        Assert.Contains("ETA --:--:--", new EvalProgress(0, 10, TimeSpan.Zero).Render());
    }
}
