using Prem.Llm.Evaluation;

namespace Prem.Llm.Tests.Evaluation;

public class PrefixReuseScorerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(16)]
    public void Prefix_reuse_equals_the_direct_computation(int batchSize)
    {
        using var model = new TinyCausalLm();
        var requests = ScorerReference.RandomRequests(seed: 100 + batchSize, model.Vocab, model.MaxLength, questions: 15);
        Assert.Contains(requests, r => r.IsTruncated(model.MaxLength));
        Assert.Contains(requests, r => r.Continuation.Count == 1);
        var scores = new PrefixReuseScorer(model, batchSize).Score(requests);
        for (int i = 0; i < requests.Count; i++)
        {
            var (ll, greedy) = ScorerReference.Direct(model, requests[i]);
            Assert.Equal(ll, scores[i].Value, 1e-4);
            Assert.Equal(greedy, scores[i].IsGreedy);
        }
    }

    [Fact]
    public void Shared_context_is_prefilled_once()
    {
        using var model = new TinyCausalLm();
        int[] context = [4, 8, 15, 16, 23];
        var requests = new[] { new TokenizedRequest(context, [1]), new TokenizedRequest(context, [2]), new TokenizedRequest(context, [3]), new TokenizedRequest(context, [4]) };
        var scores = new PrefixReuseScorer(model).Score(requests);
        Assert.Equal(1, model.Calls); // one prefill; single-token continuations need no Continue call
        var full = new CausalLmScorer(model.Forward, model.MaxLength).Score(requests);
        for (int i = 0; i < 4; i++) Assert.Equal(full[i].Value, scores[i].Value, 1e-4);
    }

    [Fact]
    public void Results_keep_request_order_across_interleaved_contexts()
    {
        using var model = new TinyCausalLm();
        var a = new TokenizedRequest([3, 4], [5, 6]);
        var b = new TokenizedRequest([7], [8]);
        var c = new TokenizedRequest([3, 4], [9]);
        var scores = new PrefixReuseScorer(model, 1).Score([a, b, c]);
        Assert.Equal(ScorerReference.Direct(model, a).LogLikelihood, scores[0].Value, 1e-4);
        Assert.Equal(ScorerReference.Direct(model, b).LogLikelihood, scores[1].Value, 1e-4);
        Assert.Equal(ScorerReference.Direct(model, c).LogLikelihood, scores[2].Value, 1e-4);
    }
}
