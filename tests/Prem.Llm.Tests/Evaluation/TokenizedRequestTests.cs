using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation;

public class TokenizedRequestTests
{
    [Fact]
    public void Model_input_drops_the_last_token_and_cuts_from_the_left()
    {
        var request = new TokenizedRequest([1, 2, 3, 4, 5], [6, 7]);
        Assert.Equal([1, 2, 3, 4, 5, 6], request.ModelInput(10));
        Assert.False(request.IsTruncated(6));
        Assert.Equal([1, 2, 3, 4, 5, 6], request.ModelInput(6));
        Assert.True(request.IsTruncated(5));
        // lm-eval: (ctx + cont)[-(5 + 1):][:-1]
        Assert.Equal([2, 3, 4, 5, 6], request.ModelInput(5));
        Assert.Equal([6], request.ModelInput(2)[^1..]);
    }

    [Fact]
    public void Empty_parts_and_oversized_continuations_are_errors()
    {
        Assert.Throws<EvaluationException>(() => new TokenizedRequest([], [1]).ModelInput(4));
        Assert.Throws<EvaluationException>(() => new TokenizedRequest([1], []).ModelInput(4));
        Assert.Throws<EvaluationException>(() => new TokenizedRequest([1], [1, 2, 3, 4, 5]).ModelInput(4));
    }
}
