using Prem.Llm.Evaluation;
using Prem.Llm.Reporting;

namespace Prem.Llm.Tests.Reporting;

public class ConsoleProgressReporterTests
{
    [Fact]
    public void Throttles_updates_and_ends_with_a_newline()
    {
        var writer = new StringWriter();
        var reporter = new ConsoleProgressReporter(writer, TimeSpan.FromSeconds(1));
        reporter.Report(new EvalProgress(1, 4, TimeSpan.FromSeconds(0)));
        reporter.Report(new EvalProgress(2, 4, TimeSpan.FromSeconds(0.5))); // within the interval: skipped
        reporter.Report(new EvalProgress(3, 4, TimeSpan.FromSeconds(1.5)));
        reporter.Report(new EvalProgress(4, 4, TimeSpan.FromSeconds(1.6))); // finished: always written
        string text = writer.ToString();
        Assert.Equal(3, text.Count(c => c == '\r'));
        Assert.DoesNotContain(" 2/4 ", text);
        Assert.EndsWith("4/4 requests, 2.5 req/s, ETA 00:00:00" + Environment.NewLine, text);
    }
}
