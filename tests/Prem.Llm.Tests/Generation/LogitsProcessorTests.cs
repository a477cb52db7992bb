using Prem.Llm.Generation;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Generation;

public class LogitsProcessorTests
{
    [Fact]
    public void Repetition_penalty_divides_positive_and_multiplies_negative_seen_logits()
    {
        var logits = tensor(new float[] { 2f, -1f, 3f, 0.5f }, [1, 4]);
        var seen = tensor(new long[] { 0, 1, 1 }, [1, 3]);
        var result = LogitsProcessor.ApplyRepetitionPenalty(logits, seen, 2.0).data<float>().ToArray();
        Assert.Equal(new[] { 1f, -2f, 3f, 0.5f }, result);
    }

    [Fact]
    public void Top_k_keeps_the_k_largest()
    {
        var logits = tensor(new float[] { 1f, 5f, 3f, 4f }, [1, 4]);
        var kept = LogitsProcessor.TopK(logits, 2).data<float>().ToArray();
        Assert.Equal(new[] { float.NegativeInfinity, 5f, float.NegativeInfinity, 4f }, kept);
    }

    [Fact]
    public void Top_p_keeps_the_smallest_set_reaching_p()
    {
        // Probabilities 0.5, 0.3, 0.15, 0.05: p = 0.75 keeps {0.5, 0.3}; p = 0.1 keeps the top one only.
        var logits = tensor(new[] { 0.5f, 0.3f, 0.15f, 0.05f }.Select(p => MathF.Log(p)).ToArray(), [1, 4]);
        var kept = LogitsProcessor.TopP(logits, 0.75).data<float>().Select(x => float.IsFinite(x)).ToArray();
        Assert.Equal(new[] { true, true, false, false }, kept);
        var one = LogitsProcessor.TopP(logits, 0.1).data<float>().Select(x => float.IsFinite(x)).ToArray();
        Assert.Equal(new[] { true, false, false, false }, one);
    }

    [Fact]
    public void Greedy_pick_takes_the_lowest_id_on_a_tie()
    {
        var logits = tensor(new float[] { 1f, 7f, 7f, 2f }, [1, 4]);
        Assert.Equal(1L, LogitsProcessor.Pick(logits, new SamplingOptions(), null).item<long>());
    }
}
