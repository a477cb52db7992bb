using Prem.Llm.Evaluation;
using Prem.Llm.Modeling;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Evaluation;

/// <summary>lm-eval scoring on the real stories260K model: batching and prefix reuse change nothing.</summary>
public class LlamaPrefixModelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Batched_and_prefix_reused_log_likelihoods_equal_the_direct_computation(int batchSize)
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        const int window = 48;
        var requests = ScorerReference.RandomRequests(seed: 5, vocab: 512, maxLength: window, questions: 10);
        using var noGrad = no_grad();
        var direct = requests.Select(r => ScorerReference.Direct(model.forward, window, 512, r)).ToList();
        var batched = new CausalLmScorer(model.forward, window, batchSize).Score(requests, null, default);
        var reused = new PrefixReuseScorer(new LlamaPrefixModel(model, window), batchSize).Score(requests, null, default);
        for (int i = 0; i < requests.Count; i++)
        {
            Assert.True(Math.Abs(direct[i].LogLikelihood - batched[i].Value) <= 1e-4, $"batched [{i}]: {direct[i].LogLikelihood} vs {batched[i].Value}");
            Assert.True(Math.Abs(direct[i].LogLikelihood - reused[i].Value) <= 1e-4, $"prefix reuse [{i}]: {direct[i].LogLikelihood} vs {reused[i].Value}");
            Assert.Equal(direct[i].IsGreedy, batched[i].IsGreedy);
            Assert.Equal(direct[i].IsGreedy, reused[i].IsGreedy);
        }
    }

    [Fact]
    public void Fork_leaves_the_prefix_cache_unchanged()
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        var prefix = new LlamaPrefixModel(model);
        var (state, _) = prefix.Prefill(tensor(new long[] { 1, 403, 407 }));
        using (state)
        {
            var first = prefix.Continue(state, tensor(new long[] { 261, 378, 300, 301 }, [2, 2]));
            var again = prefix.Continue(state, tensor(new long[] { 261, 378, 300, 301 }, [2, 2]));
            Assert.Equal(3, state.Length);
            Assert.True(first.eq(again).all().item<bool>(), "a second continuation of the same state gives the same logits");
        }
    }
}
