using Prem.Llm.Training;
using Prem.Llm.Reporting;
using Prem.Llm.Tests.Training;

namespace Prem.Llm.Tests.Reporting;

public class TrainingCurvePlotTests
{
    [Fact]
    public void Writes_a_png_from_metrics()
    {
        var dir = TrainingFixtures.TempDir();
        var metrics = Path.Combine(dir, "metrics.jsonl");
        File.WriteAllLines(metrics, [
            """{"step":1,"loss":3.0,"lr":0.001}""",
            """{"step":2,"loss":"NaN","lr":0.002}""",
            """{"step":3,"loss":2.0,"lr":0.001}""",
            """{"step":3,"val/loss":2.2,"val/perplexity":9.0}""",
        ]);
        var sink = TrainingCurvePlot.Writer(dir);
        sink.Report(new TrainingUpdate { Kind = TrainingUpdateKind.Finished, Step = 3, TotalSteps = 3 });
        var png = File.ReadAllBytes(Path.Combine(dir, "curves.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.True(png.Length > 1000);
    }

    [Fact]
    public void Bad_metrics_name_file_and_line()
    {
        var dir = TrainingFixtures.TempDir();
        var metrics = Path.Combine(dir, "metrics.jsonl");
        File.WriteAllLines(metrics, ["""{"step":1,"loss":3.0,"lr":0.001}""", "not json"]);
        var ex = Assert.Throws<TrainingException>(() => TrainingCurvePlot.Save(metrics, Path.Combine(dir, "c.png")));
        Assert.Contains("line 2", ex.Message);
        Assert.Contains("metrics.jsonl", ex.Message);
        Assert.Throws<TrainingException>(() => TrainingCurvePlot.Save(Path.Combine(dir, "none.jsonl"), Path.Combine(dir, "c.png")));
    }
}
