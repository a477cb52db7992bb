using Prem.Llm.Evaluation;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Evaluation;

public class ContinuationScoreTests
{
    [Fact]
    public void Sums_the_picked_log_probs_and_checks_argmax()
    {
        using var logProbs = tensor(new float[] { -0.1f, -2f, -3f, -1.5f, -0.5f, -4f }, [2, 3]);
        var greedy = ContinuationScore.Sum(logProbs, [0, 1]);
        Assert.Equal(-0.6, greedy.Value, 1e-6);
        Assert.True(greedy.IsGreedy);
        var other = ContinuationScore.Sum(logProbs, [0, 2]);
        Assert.Equal(-4.1, other.Value, 1e-6);
        Assert.False(other.IsGreedy);
    }

    [Fact]
    public void Shape_mismatch_is_an_argument_error()
    {
        using var logProbs = zeros(3, 4);
        Assert.Throws<ArgumentException>(() => ContinuationScore.Sum(logProbs, [1, 2]));
    }
}
