using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation;

public class RollingLogLikelihoodTests
{
    [Fact]
    public void Windows_match_lm_eval_for_ten_tokens_and_window_four()
    {
        // get_rolling_token_windows(list(range(10)), prefix_token=-1, max_seq_len=4, context_len=1)
        // followed by make_disjoint_window, worked out by hand from lm-eval's definition.
        var windows = RollingLogLikelihood.Windows(Enumerable.Range(0, 10).ToArray(), prefixToken: 99, maxLength: 4);
        Assert.Equal(3, windows.Count);
        Assert.Equal([99], windows[0].Context);
        Assert.Equal([0, 1, 2, 3], windows[0].Continuation);
        Assert.Equal([3], windows[1].Context);
        Assert.Equal([4, 5, 6, 7], windows[1].Continuation);
        Assert.Equal([5, 6, 7], windows[2].Context);
        Assert.Equal([8, 9], windows[2].Continuation);
    }

    [Theory]
    [InlineData(1, 7, null)]
    [InlineData(23, 5, 2)]
    [InlineData(40, 8, null)]
    [InlineData(40, 8, 8)]
    public void Every_token_is_predicted_once_and_inputs_fit_the_window(int count, int maxLength, int? stride)
    {
        var tokens = Enumerable.Range(100, count).ToArray();
        var windows = RollingLogLikelihood.Windows(tokens, 1, maxLength, stride);
        Assert.Equal(tokens, windows.SelectMany(w => w.Continuation));
        foreach (var w in windows)
        {
            Assert.False(w.IsTruncated(maxLength));
            Assert.True(w.TotalLength <= maxLength + 1);
        }
        if (stride is { } s)
            Assert.All(windows.Skip(1), w => Assert.True(w.Continuation.Count <= s));
    }

    [Fact]
    public void Empty_input_has_no_windows_and_a_bad_stride_is_an_error()
    {
        Assert.Empty(RollingLogLikelihood.Windows([], 1, 4));
        Assert.Throws<EvaluationException>(() => RollingLogLikelihood.Windows([1, 2], 1, 4, stride: 5));
        Assert.Throws<EvaluationException>(() => RollingLogLikelihood.Windows([1, 2], 1, 4, stride: 0));
    }

    [Fact]
    public void Score_within_one_window_equals_the_whole_sequence_loglikelihood()
    {
        using var model = new TinyCausalLm();
        var tokens = Enumerable.Range(0, 30).Select(i => (i * 7 + 3) % model.Vocab).ToArray();
        double rolled = RollingLogLikelihood.Score(new CausalLmScorer(model.Forward, model.MaxLength), tokens, prefixToken: 1);
        var (direct, _) = ScorerReference.Direct(model, new TokenizedRequest([1], tokens));
        Assert.Equal(direct, rolled, 1e-4);
    }

    [Fact]
    public void Score_over_several_windows_sums_the_window_scores()
    {
        using var model = new TinyCausalLm(maxLength: 8);
        var tokens = Enumerable.Range(0, 30).Select(i => (i * 5 + 1) % model.Vocab).ToArray();
        double expected = RollingLogLikelihood.Windows(tokens, 1, 8, stride: 3).Sum(w => ScorerReference.Direct(model, w).LogLikelihood);
        double rolled = RollingLogLikelihood.Score(new PrefixReuseScorer(model), tokens, 1, stride: 3);
        Assert.Equal(expected, rolled, 1e-4);
    }
}
