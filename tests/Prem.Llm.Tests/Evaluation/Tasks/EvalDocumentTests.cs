using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation.Tasks;

public class EvalDocumentTests
{
    [Fact]
    public void Requests_pair_shared_context_or_shared_continuation()
    {
        var shared = new EvalDocument("t", "1", ["Q"], [" a", " b"], 0, [1, 1]);
        Assert.Equal(2, shared.ChoiceCount);
        Assert.Equal(("Q", " b"), shared.Request(1));
        var multi = new EvalDocument("t", "2", ["x A", "x B"], [" end"], 1, null);
        Assert.Equal(("x B", " end"), multi.Request(1));
        shared.Validate();
        multi.Validate();
    }

    [Fact]
    public void Validate_rejects_bad_shapes()
    {
        Assert.Throws<ArgumentException>(() => new EvalDocument("t", "1", ["a", "b"], [" x", " y"], 0, null).Validate());
        Assert.Throws<ArgumentException>(() => new EvalDocument("t", "1", ["a"], [" x", " y"], 2, null).Validate());
        Assert.Throws<ArgumentException>(() => new EvalDocument("t", "1", ["a"], [" x", " y"], 0, [1]).Validate());
        Assert.Throws<ArgumentException>(() => new EvalDocument("t", "1", [], [" x"], 0, null).Validate());
    }
}
