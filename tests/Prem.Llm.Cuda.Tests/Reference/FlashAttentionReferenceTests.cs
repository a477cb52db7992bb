using Prem.Llm.Cuda.Attention;
using Prem.Llm.Cuda.Reference;
using Prem.Llm.Cuda.Runtime;

namespace Prem.Llm.Cuda.Tests.Reference;

public class FlashAttentionReferenceTests
{
    public static TheoryData<string, bool, int, int, int, int, int> Cases() => new()
    {
        // name, causal, headsQ, headsKv, headDim, blockM, blockN
        { "1,37", true, 4, 4, 16, 8, 8 },
        { "2,33", false, 4, 1, 16, 8, 16 },
        { "40", true, 8, 2, 32, 16, 8 },
        { "5,64,1,19", true, 6, 3, 8, 8, 8 },
        { "5,64,1,19", false, 2, 1, 8, 4, 8 },
        { "130", true, 2, 1, 64, 64, 64 },
    };

    static AttentionProblem Problem(string lengths, bool causal, int hq, int hkv, int d)
    {
        var lens = lengths.Split(',').Select(int.Parse).ToArray();
        var cu = new int[lens.Length + 1];
        for (var i = 0; i < lens.Length; i++) cu[i + 1] = cu[i] + lens[i];
        return new AttentionProblem(cu, cu, hq, hkv, d, causal, 1f / MathF.Sqrt(d));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesEagerAttention(string lengths, bool causal, int hq, int hkv, int d, int blockM, int blockN)
    {
        var p = Problem(lengths, causal, hq, hkv, d);
        var rng = new Random(lengths.GetHashCode() ^ hq);
        var q = EagerAttention.Random(rng, p.TotalQ * hq * d, 2f);
        var k = EagerAttention.Random(rng, p.TotalK * hkv * d, 2f);
        var v = EagerAttention.Random(rng, p.TotalK * hkv * d);
        var dO = EagerAttention.Random(rng, p.TotalQ * hq * d);
        var o = new float[q.Length];
        var lse = new float[hq * p.TotalQ];

        FlashAttentionReference.Forward(p, q, k, v, o, lse, blockM, blockN);
        var expected = EagerAttention.Run(p, q, k, v, dO);

        Assert.InRange(EagerAttention.RelativeError(o, expected.O), 0, 1e-5);
        Assert.InRange(EagerAttention.RelativeError(lse, expected.Lse), 0, 1e-5);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardMatchesAutograd(string lengths, bool causal, int hq, int hkv, int d, int blockM, int blockN)
    {
        var p = Problem(lengths, causal, hq, hkv, d);
        var rng = new Random(lengths.GetHashCode() ^ (hq * 31));
        var q = EagerAttention.Random(rng, p.TotalQ * hq * d, 2f);
        var k = EagerAttention.Random(rng, p.TotalK * hkv * d, 2f);
        var v = EagerAttention.Random(rng, p.TotalK * hkv * d);
        var dO = EagerAttention.Random(rng, p.TotalQ * hq * d);
        var o = new float[q.Length];
        var lse = new float[hq * p.TotalQ];
        var (dq, dk, dv) = (new float[q.Length], new float[k.Length], new float[v.Length]);

        FlashAttentionReference.Forward(p, q, k, v, o, lse, blockM, blockN);
        FlashAttentionReferenceBackward.Backward(p, q, k, v, o, lse, dO, dq, dk, dv, blockM, blockN);
        var expected = EagerAttention.Run(p, q, k, v, dO);

        Assert.InRange(EagerAttention.RelativeError(dq, expected.Dq), 0, 1e-4);
        Assert.InRange(EagerAttention.RelativeError(dk, expected.Dk), 0, 1e-4);
        Assert.InRange(EagerAttention.RelativeError(dv, expected.Dv), 0, 1e-4);
    }

    [Fact]
    public void TilingDoesNotChangeTheResult()
    {
        var p = Problem("29,3", true, 2, 1, 8);
        var rng = new Random(7);
        var q = EagerAttention.Random(rng, p.TotalQ * 2 * 8);
        var k = EagerAttention.Random(rng, p.TotalK * 8);
        var v = EagerAttention.Random(rng, p.TotalK * 8);
        var (o1, l1, o2, l2) = (new float[q.Length], new float[2 * p.TotalQ], new float[q.Length], new float[2 * p.TotalQ]);
        FlashAttentionReference.Forward(p, q, k, v, o1, l1, 4, 8);
        FlashAttentionReference.Forward(p, q, k, v, o2, l2, 64, 64);
        for (var i = 0; i < o1.Length; i++) Assert.Equal(o2[i], o1[i], 1e-5f);
        for (var i = 0; i < l1.Length; i++) Assert.Equal(l2[i], l1[i], 1e-5f);
    }

    [Fact]
    public void DocumentsDoNotSeeEachOther()
    {
        // Changing the keys of document 0 must leave document 1's output unchanged.
        var p = Problem("6,5", false, 1, 1, 4);
        var rng = new Random(3);
        var q = EagerAttention.Random(rng, 11 * 4);
        var k = EagerAttention.Random(rng, 11 * 4);
        var v = EagerAttention.Random(rng, 11 * 4);
        var (o1, o2, lse) = (new float[44], new float[44], new float[11]);
        FlashAttentionReference.Forward(p, q, k, v, o1, lse, 4, 4);
        for (var i = 0; i < 6 * 4; i++) { k[i] += 1f; v[i] -= 1f; }
        FlashAttentionReference.Forward(p, q, k, v, o2, lse, 4, 4);
        Assert.Equal(o1[24..], o2[24..]);
        Assert.NotEqual(o1[..24], o2[..24]);
    }

    [Theory]
    [InlineData(true, 0, "0:8")]
    [InlineData(true, 2, "0:8 1:8")]
    [InlineData(true, 4, "0:8 1:8 2:4")]
    [InlineData(false, 0, "0:8 1:8 2:4")]
    public void KeyBlocksStopAtTheDiagonal(bool causal, int mBlock, string expected)
    {
        // 20 keys in tiles of 8, query tiles of 4 rows: a causal query tile never visits a key tile
        // that lies wholly after its last row.
        var blocks = FlashAttentionReference.KeyBlocks(causal, mBlock, 4, 8, 20);
        Assert.Equal(expected, string.Join(" ", blocks.Select(b => $"{b.Block}:{b.Keys}")));
    }

    [Fact]
    public void RejectsWrongSpanLengths()
    {
        var p = Problem("4", false, 2, 1, 8);
        var e = Assert.Throws<CudaException>(() =>
            FlashAttentionReference.Forward(p, new float[4 * 2 * 8], new float[4 * 8], new float[3 * 8], new float[4 * 2 * 8], new float[8]));
        Assert.Contains("'v'", e.Message);
        Assert.Contains("[TotalK, HeadsKv, HeadDim]", e.Message);
    }
}
