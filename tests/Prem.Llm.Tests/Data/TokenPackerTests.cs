using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data;

public class TokenPackerTests
{
    private const int Bos = 1000, Eos = 1001;

    // Documents BOS + body + EOS with bodies of varied lengths and values below 1000.
    private static List<int[]> Documents(int count, int seed)
    {
        var docs = new List<int[]>();
        for (int d = 0; d < count; d++)
        {
            int len = (int)(StableHash.Of(seed, d) % 40);
            docs.Add([Bos, .. Enumerable.Range(0, len).Select(i => (int)(StableHash.Of(seed + 1, d * 100 + i) % 1000)), Eos]);
        }
        return docs;
    }

    [Theory]
    [InlineData(0, 4, false)]
    [InlineData(4, 4, false)]
    [InlineData(5, 4, false)]
    [InlineData(9, 4, false)]
    [InlineData(10, 4, false)]
    [InlineData(1000, 7, false)]
    [InlineData(5, 4, true)]
    [InlineData(8, 4, true)]
    [InlineData(9, 4, true)]
    [InlineData(1000, 7, true)]
    public void Window_count_and_tail_match_a_brute_force_cut(long total, int seqLen, bool overlap)
    {
        long windows = 0, end = 0;
        for (long s = 0; s + seqLen + 1 <= total; s += overlap ? seqLen : seqLen + 1)
        {
            windows++;
            end = s + seqLen + 1;
        }
        Assert.Equal(windows, TokenPacker.WindowCount(total, seqLen, overlap));
        Assert.Equal(total - end, TokenPacker.DroppedTail(total, seqLen, overlap));
    }

    [Theory]
    [InlineData(16, false)]
    [InlineData(16, true)]
    [InlineData(5, false)]
    public void Packing_conserves_tokens_in_order_without_padding(int seqLen, bool overlap)
    {
        var docs = Documents(60, 3);
        var stream = docs.SelectMany(d => d).ToArray();
        var windows = TokenPacker.Pack(docs, seqLen, overlap);

        Assert.All(windows, w => Assert.Equal(seqLen + 1, w.Tokens.Length));
        // Rebuild the stream: whole first window, then each next window minus its overlap.
        var rebuilt = new List<int>();
        foreach (var (tokens, _) in windows) rebuilt.AddRange(rebuilt.Count == 0 || !overlap ? tokens : tokens[1..]);
        long dropped = TokenPacker.DroppedTail(stream.Length, seqLen, overlap);
        Assert.Equal(stream.Length - dropped, rebuilt.Count);
        Assert.Equal(stream[..rebuilt.Count], rebuilt);
        Assert.InRange(dropped, 0, overlap ? seqLen - 1 : seqLen);
        // No padding: every value is a real token of the corpus (bodies < 1000, BOS, EOS).
        Assert.All(windows.SelectMany(w => w.Tokens), t => Assert.True(t < 1000 || t == Bos || t == Eos));
    }

    [Fact]
    public void Document_ids_start_at_zero_and_step_at_each_bos()
    {
        var docs = Documents(80, 11);
        foreach (var (tokens, ids) in TokenPacker.Pack(docs, 24))
        {
            Assert.Equal(0, ids[0]);
            for (int i = 1; i < tokens.Length; i++)
                Assert.Equal(ids[i - 1] + (tokens[i] == Bos ? 1 : 0), ids[i]);
        }
    }

    [Fact]
    public void Document_ids_with_explicit_starts()
    {
        long[] starts = [0, 3, 4, 10];
        var ids = new long[8];
        TokenPacker.DocumentIds(starts, 2, ids);
        Assert.Equal([0L, 1, 2, 2, 2, 2, 2, 2], ids);
        TokenPacker.DocumentIds(starts, 9, ids.AsSpan(0, 3));
        Assert.Equal([0L, 1, 1], ids[..3]);
    }

    [Fact]
    public void Window_starts_follow_the_stride()
    {
        Assert.Equal(3 * 2049L, TokenPacker.WindowStart(3, 2048));
        Assert.Equal(3 * 2048L, TokenPacker.WindowStart(3, 2048, overlap: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenPacker.WindowCount(10, 0));
    }
}
