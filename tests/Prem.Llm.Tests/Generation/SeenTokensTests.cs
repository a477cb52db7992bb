using Prem.Llm.Generation;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Generation;

public class SeenTokensTests
{
    [Fact]
    public void Penalty_equals_the_TorchSharp_processor_once_per_distinct_id()
    {
        float[] logits = [1.5f, -2f, 0.25f, 3f, -0.5f, 0f, 2f, -1f];
        int[][] seen = [[0, 1, 1, 3], [2, 2, 3, 1]];
        var tokens = new SeenTokens(2, 4);
        tokens.AddRange(0, seen[0]);
        tokens.AddRange(1, seen[1]);
        var expected = LogitsProcessor.ApplyRepetitionPenalty(
            tensor(logits, [2, 4]), tensor(new long[] { 0, 1, 1, 3, 2, 2, 3, 1 }, [2, 4]), 1.7).data<float>().ToArray();
        var actual = (float[])logits.Clone();
        tokens.Penalize(actual, 1.7);
        Assert.Equal(expected, actual);
    }
}
