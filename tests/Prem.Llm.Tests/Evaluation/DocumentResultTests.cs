using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation;

public class DocumentResultTests
{
    private static EvalDocument Doc(int gold, int[]? lengths) =>
        new("t", "d", ["ctx"], [" a", " bbbb", " cc"], gold, lengths);

    [Fact]
    public void Acc_and_acc_norm_can_disagree()
    {
        // loglik -4, -6, -5 ; per char -4, -1.5, -2.5 → acc picks 0, acc_norm picks 1.
        var r = new DocumentResult(Doc(1, [1, 4, 2]), [-4, -6, -5], [false, false, false]);
        Assert.Equal(0, r.Prediction);
        Assert.Equal(0, r.Acc);
        Assert.Equal(1, r.AccNorm);
    }

    [Fact]
    public void Ties_go_to_the_first_maximum_like_numpy_argmax()
    {
        var r = new DocumentResult(Doc(1, null), [-2, -2, -3], [false, false, false]);
        Assert.Equal(0, r.Prediction);
        Assert.Equal(0, r.Acc);
        Assert.Null(r.AccNorm);
        Assert.Equal(1, new DocumentResult(Doc(0, null), [-2, -2, -3], [false, false, false]).Acc);
    }
}
