using Prem.Llm.Cuda.Attention;
using Prem.Llm.Cuda.Runtime;

namespace Prem.Llm.Cuda.Tests.Attention;

public class AttentionProblemTests
{
    [Fact]
    public void FixedLengthHasEqualOffsets()
    {
        var p = AttentionProblem.FixedLength(3, 5, 7, 8, 2, 64, false, 0.125f);
        Assert.Equal([0, 5, 10, 15], p.CuSeqlensQ);
        Assert.Equal([0, 7, 14, 21], p.CuSeqlensK);
        Assert.Equal((3, 15, 21, 4, 5, 7), (p.NumSequences, p.TotalQ, p.TotalK, p.Group, p.MaxSeqlenQ, p.MaxSeqlenK));
    }

    [Theory]
    [InlineData(new[] { 1, 3 }, new[] { 1, 3 }, 4, 2, 64, false, 1f, "start at 0")]
    [InlineData(new[] { 0, 5, 3 }, new[] { 0, 5, 3 }, 4, 2, 64, false, 1f, "must not decrease")]
    [InlineData(new[] { 0, 4 }, new[] { 0, 4, 8 }, 4, 2, 64, false, 1f, "same length")]
    [InlineData(new[] { 0, 4 }, new[] { 0, 4 }, 6, 4, 64, false, 1f, "multiple of KV heads")]
    [InlineData(new[] { 0, 4 }, new[] { 0, 5 }, 4, 4, 64, true, 1f, "equal query and key lengths")]
    [InlineData(new[] { 0, 4 }, new[] { 0, 0 }, 4, 4, 64, false, 1f, "no keys")]
    [InlineData(new[] { 0, 4 }, new[] { 0, 4 }, 4, 4, 64, false, 0f, "scale")]
    [InlineData(new[] { 0, 4 }, new[] { 0, 4 }, 4, 4, 0, false, 1f, "head size")]
    public void RejectsBadShapes(int[] cuQ, int[] cuK, int hq, int hkv, int d, bool causal, float scale, string message)
    {
        var e = Assert.Throws<CudaException>(() => new AttentionProblem(cuQ, cuK, hq, hkv, d, causal, scale));
        Assert.Contains(message, e.Message);
        Assert.StartsWith("AttentionProblem.", e.Message);
    }
}
