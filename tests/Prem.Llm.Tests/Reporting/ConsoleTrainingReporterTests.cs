using Prem.Llm.Training;
using Prem.Llm.Reporting;
using Prem.Llm.Tests.Training;

namespace Prem.Llm.Tests.Reporting;

public class ConsoleTrainingReporterTests
{
    [Fact]
    public void Redirected_output_gets_plain_lines()
    {
        var writer = new StringWriter();
        int result = ConsoleTrainingReporter.Run(p =>
        {
            p.Report(new TrainingUpdate { Kind = TrainingUpdateKind.Step, Step = 1, TotalSteps = 2, Loss = 1 });
            p.Report(new TrainingUpdate { Kind = TrainingUpdateKind.Finished, Step = 2, TotalSteps = 2 });
            return 7;
        }, forcePlain: true, plainWriter: writer);
        Assert.Equal(7, result);
        var lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("step 1/2 | loss 1.0000", lines[0]);
        Assert.StartsWith("finished 2/2", lines[1]);
    }

    [Fact]
    public void A_real_run_reports_through_the_plain_sink()
    {
        var writer = new StringWriter();
        using var model = TrainingFixtures.TinyModel();
        using var trainer = new Trainer(model, new Prem.Llm.Objectives.CausalLmObjective(), TrainingFixtures.CountingSource(2),
            new TrainerOptions { Schedule = new() { MaxSteps = 3 }, AccumulationSteps = 1, Precision = new() { Mode = TrainingPrecision.Float32 } });
        ConsoleTrainingReporter.Run(p => trainer.Run(p), forcePlain: true, plainWriter: writer);
        Assert.Equal(4, writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
