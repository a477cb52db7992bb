using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation;

public class CausalLmScorerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    public void Batched_scores_equal_the_direct_computation(int batchSize)
    {
        using var model = new TinyCausalLm();
        var requests = ScorerReference.RandomRequests(seed: batchSize, model.Vocab, model.MaxLength);
        Assert.Contains(requests, r => r.IsTruncated(model.MaxLength));
        var scorer = new CausalLmScorer(model.Forward, model.MaxLength, batchSize);
        int reported = 0;
        var scores = scorer.Score(requests, new SyncProgress(n => reported += n));
        Assert.Equal(requests.Count, reported);
        for (int i = 0; i < requests.Count; i++)
        {
            var (ll, greedy) = ScorerReference.Direct(model, requests[i]);
            Assert.Equal(ll, scores[i].Value, 1e-4);
            Assert.Equal(greedy, scores[i].IsGreedy);
        }
    }

    [Fact]
    public void Greedy_continuation_is_flagged()
    {
        using var model = new TinyCausalLm();
        var context = new[] { 5, 9, 11 };
        // Build the greedy continuation token by token from the direct reference.
        var continuation = new List<int>();
        for (int step = 0; step < 3; step++)
        {
            int best = Enumerable.Range(0, model.Vocab)
                .Select(t => (t, ScorerReference.Direct(model, new TokenizedRequest(context, [.. continuation, t])).LogLikelihood))
                .MaxBy(p => p.Item2).t;
            continuation.Add(best);
        }
        var scorer = new CausalLmScorer(model.Forward, model.MaxLength, 4);
        var other = (continuation[2] + 1) % model.Vocab;
        var scores = scorer.Score([new TokenizedRequest(context, continuation), new TokenizedRequest(context, [continuation[0], continuation[1], other])]);
        Assert.True(scores[0].IsGreedy);
        Assert.False(scores[1].IsGreedy);
        Assert.True(scores[0].Value > scores[1].Value);
    }

    [Fact]
    public void Continuation_longer_than_the_window_is_an_error()
    {
        using var model = new TinyCausalLm(maxLength: 8);
        var scorer = new CausalLmScorer(model.Forward, model.MaxLength);
        var e = Assert.Throws<EvaluationException>(() => scorer.Score([new TokenizedRequest([1], Enumerable.Repeat(3, 9).ToArray())]));
        Assert.Contains("window of 8", e.Message);
    }

    private sealed class SyncProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
