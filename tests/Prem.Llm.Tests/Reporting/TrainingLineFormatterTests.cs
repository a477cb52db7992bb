using Prem.Llm.Training;
using Prem.Llm.Reporting;

namespace Prem.Llm.Tests.Reporting;

public class TrainingLineFormatterTests
{
    [Fact]
    public void Formats_each_kind()
    {
        var step = new TrainingUpdate { Kind = TrainingUpdateKind.Step, Step = 10, TotalSteps = 100, Loss = 2.34567, LearningRate = 4e-4, TokensPerSecond = 1234.4, Remaining = TimeSpan.FromSeconds(3723) };
        Assert.Equal("step 10/100 | loss 2.3457 | lr 4.00e-04 | 1,234 tok/s | eta 01:02:03", TrainingLineFormatter.Format(step));
        var val = new TrainingUpdate { Kind = TrainingUpdateKind.Validation, Step = 10, TotalSteps = 100, Loss = Math.Log(5) };
        Assert.Equal("step 10/100 | val loss 1.6094 | val ppl 5.00", TrainingLineFormatter.Format(val));
        var skipped = new TrainingUpdate { Kind = TrainingUpdateKind.SkippedStep, Step = 3, TotalSteps = 9, SkippedSteps = 2 };
        Assert.Contains("skipped", TrainingLineFormatter.Format(skipped));
        var done = new TrainingUpdate { Kind = TrainingUpdateKind.Finished, Step = 9, TotalSteps = 9, Elapsed = TimeSpan.FromSeconds(61), SkippedSteps = 1 };
        Assert.Equal("finished 9/9 steps in 00:01:01 (1 skipped)", TrainingLineFormatter.Format(done));
        Assert.Equal("--:--:--", TrainingLineFormatter.Eta(null));
    }
}
