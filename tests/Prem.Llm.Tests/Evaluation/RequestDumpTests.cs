using System.Text.Json;
using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation;

public class RequestDumpTests
{
    [Fact]
    public void Writes_one_line_per_request_with_strings_ids_and_scores()
    {
        var doc = new EvalDocument("winogrande", "w1", ["A so A", "A so B"], [" won."], 1, null);
        var task = new TaskResult(WinograndeTask.Instance, [new DocumentResult(doc, [-3.5, -2.25], [false, true])], 1, 1);
        TokenizedRequest[] requests = [new([1, 5, 6], [9]), new([1, 5, 7, 8, 8, 8], [9])];
        string path = TestData.TempFile();
        RequestDump.Write(path, [task], [doc.Request(0), doc.Request(1)], requests, maxLength: 4);
        var lines = File.ReadAllLines(path);
        File.Delete(path);
        Assert.Equal(2, lines.Length);
        using var second = JsonDocument.Parse(lines[1]);
        var r = second.RootElement;
        Assert.Equal("A so B", r.GetProperty("context").GetString());
        Assert.Equal(" won.", r.GetProperty("continuation").GetString());
        Assert.Equal([1, 5, 7, 8, 8, 8], r.GetProperty("context_ids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(-2.25, r.GetProperty("loglikelihood").GetDouble());
        Assert.True(r.GetProperty("is_greedy").GetBoolean());
        Assert.True(r.GetProperty("truncated").GetBoolean());
        Assert.Equal(1, r.GetProperty("gold").GetInt32());
    }
}
