using System.Text.Json.Nodes;
using Prem.Llm.Training;

namespace Prem.Llm.Tests.Training;

public class MetricsJsonlWriterTests
{
    [Fact]
    public void Writes_one_json_line_per_logged_step_and_validation()
    {
        var path = Path.Combine(TrainingFixtures.TempDir(), "metrics.jsonl");
        using (var w = new MetricsJsonlWriter(path))
        {
            w.Report(new TrainingUpdate { Kind = TrainingUpdateKind.Step, Step = 1, TotalSteps = 2, Loss = 2.5, LearningRate = 1e-3, GradientNorm = double.NaN, Metrics = new Dictionary<string, double> { ["accuracy"] = 0.25 } });
            w.Report(new TrainingUpdate { Kind = TrainingUpdateKind.Checkpoint, Step = 1, TotalSteps = 2 });
            w.Report(new TrainingUpdate { Kind = TrainingUpdateKind.Validation, Step = 2, TotalSteps = 2, Metrics = new Dictionary<string, double> { ["loss"] = 1.0, ["perplexity"] = Math.E } });
        }
        var lines = File.ReadAllLines(path).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(2.5, lines[0]["loss"]!.GetValue<double>());
        Assert.Equal(0.25, lines[0]["accuracy"]!.GetValue<double>());
        Assert.Equal("NaN", lines[0]["grad_norm"]!.GetValue<string>());
        Assert.Equal(Math.E, lines[1]["val/perplexity"]!.GetValue<double>(), 10);
    }
}
