using Prem.Llm.Training;
using Prem.Llm.Reporting;

namespace Prem.Llm.Tests.Reporting;

public class TrainingProgressTests
{
    [Fact]
    public void Combine_forwards_to_every_sink_in_order()
    {
        var seen = new List<string>();
        var sink = TrainingProgress.Combine(new Sink("a", seen), null, new Sink("b", seen));
        sink.Report(new TrainingUpdate { Kind = TrainingUpdateKind.Step, Step = 4, TotalSteps = 5 });
        Assert.Equal(["a4", "b4"], seen);
    }

    sealed class Sink(string name, List<string> seen) : IProgress<TrainingUpdate>
    {
        public void Report(TrainingUpdate value) => seen.Add(name + value.Step);
    }
}
