using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation.Tasks;

public class EvaluationExceptionTests
{
    [Fact]
    public void Message_carries_file_and_line()
    {
        Assert.Equal("bad", new EvaluationException("bad").Message);
        Assert.Equal("a.jsonl: bad", new EvaluationException("bad", "a.jsonl").Message);
        var e = new EvaluationException("bad", "a.jsonl", 7);
        Assert.Equal("a.jsonl:7: bad", e.Message);
        Assert.Equal(("a.jsonl", 7), (e.File, e.Line));
    }
}
