using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation;

public class TaskResultTests
{
    [Fact]
    public void Metrics_are_means_with_sample_stderr()
    {
        var r = ResultsFixtures.Task(ArcTask.Easy, correct: 3, total: 4, normCorrect: 1);
        Assert.Equal(0.75, r.Acc, 12);
        Assert.Equal(0.25, r.AccStderr!.Value, 12); // see EvalStatisticsTests
        Assert.Equal(0.25, r.AccNorm!.Value, 12);
        Assert.Equal(0.25, r.AccNormStderr!.Value, 12);
    }

    [Fact]
    public void Single_document_has_no_stderr_and_acc_only_tasks_have_no_norm()
    {
        var r = ResultsFixtures.Task(WinograndeTask.Instance, 1, 1);
        Assert.Null(r.AccStderr);
        Assert.Null(r.AccNorm);
        Assert.Throws<EvaluationException>(() => new TaskResult(ArcTask.Easy, [], 0, 0));
    }
}
