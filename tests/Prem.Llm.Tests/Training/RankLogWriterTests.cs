using Prem.Llm.Tests.Distributed;
using Prem.Llm.Training;

namespace Prem.Llm.Tests.Training;

public class RankLogWriterTests
{
    [Fact]
    public void Writes_one_line_per_update_naming_the_rank()
    {
        var text = new StringWriter();
        using (var log = new RankLogWriter(text, new ReplicaCommunicator(4, rank: 3)))
        {
            log.Report(new TrainingUpdate { Kind = TrainingUpdateKind.Step, Step = 2, TotalSteps = 9, Loss = 1.25, LearningRate = 3e-4, GradientNorm = 0.5 });
            log.Report(new TrainingUpdate { Kind = TrainingUpdateKind.Validation, Step = 2, TotalSteps = 9, Loss = 2.5 });
            log.Report(new TrainingUpdate { Kind = TrainingUpdateKind.Checkpoint, Step = 2, TotalSteps = 9 });
        }
        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.EndsWith("rank 3/4 Step step 2/9: loss 1.25 lr 3e-4 grad_norm 0.5", lines[0].TrimEnd());
        Assert.EndsWith("rank 3/4 Validation step 2/9: val/loss 2.5", lines[1].TrimEnd());
        Assert.EndsWith("rank 3/4 Checkpoint step 2/9: checkpoint written by rank 0", lines[2].TrimEnd());
    }
}
