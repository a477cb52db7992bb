using Prem.Llm.Cuda.Attention;
using Prem.Llm.Cuda.Runtime;

namespace Prem.Llm.Cuda.Tests.Attention;

public class SequenceOffsetsTests
{
    [Fact]
    public void SplitsAtRowStartsAndIdChanges()
    {
        // Row 0: documents 7 | 8 8 8; row 1: 8 8 | 2 2 (a row start splits even with the same id).
        long[] ids = [7, 8, 8, 8, 8, 8, 2, 2];
        Assert.Equal([0, 1, 4, 6, 8], SequenceOffsets.FromDocumentIds(ids, 2, 4));
    }

    [Fact]
    public void ConservesTokensOnRandomPackings()
    {
        var rng = new Random(5);
        for (var trial = 0; trial < 50; trial++)
        {
            int batch = rng.Next(1, 4), length = rng.Next(1, 40);
            var ids = new long[batch * length];
            for (var b = 0; b < batch; b++)
            {
                long doc = 0;
                for (var t = 0; t < length; t++) { if (rng.Next(5) == 0) doc++; ids[b * length + t] = doc; }
            }
            var offsets = SequenceOffsets.FromDocumentIds(ids, batch, length);
            Assert.Equal(0, offsets[0]);
            Assert.Equal(batch * length, offsets[^1]);
            for (var i = 1; i < offsets.Length; i++)
            {
                Assert.True(offsets[i] > offsets[i - 1]);
                var (start, end) = (offsets[i - 1], offsets[i]);
                Assert.True(ids[start..end].All(x => x == ids[start]), "a sequence mixes documents");
                Assert.Equal(start / length, (end - 1) / length);
            }
        }
    }

    [Fact]
    public void RejectsADocumentSplitByAnother()
    {
        var e = Assert.Throws<CudaException>(() => SequenceOffsets.FromDocumentIds([1, 1, 2, 1], 1, 4));
        Assert.Contains("DocumentIds[0, 3]", e.Message);
    }

    [Fact]
    public void RejectsTheWrongElementCount() =>
        Assert.Throws<CudaException>(() => SequenceOffsets.FromDocumentIds([1, 2, 3], 2, 2));

    [Fact]
    public void FixedIsEvenlySpaced() => Assert.Equal([0, 5, 10, 15], SequenceOffsets.Fixed(3, 5));
}
