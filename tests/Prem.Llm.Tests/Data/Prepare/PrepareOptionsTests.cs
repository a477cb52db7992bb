using Prem.Llm.Data;
using Prem.Llm.Data.Prepare;

namespace Prem.Llm.Tests.Data.Prepare;

public class PrepareOptionsTests
{
    private static PrepareOptions Make() => new() { Input = "in", Output = "out", TokenizerHash = "h" };

    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var o = Make();
        Assert.Equal(2048, o.SeqLen);
        Assert.Equal(1, o.Workers);
        Assert.Equal(0, o.ValFraction);
        Assert.Equal(42, o.Seed);
        Assert.Equal("text", o.TextField);
        Assert.Equal(TextFileSplit.WholeFile, o.TextFileSplit);
        Assert.False(o.SkipBadLines || o.DropCode || o.OverlapWindows);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Preparer_rejects_a_validation_fraction_outside_0_1(double f) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new CorpusPreparer(new ByteTokenizer(), Make() with { ValFraction = f }));

    [Fact]
    public void Preparer_rejects_nonpositive_sizes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CorpusPreparer(new ByteTokenizer(), Make() with { Workers = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CorpusPreparer(new ByteTokenizer(), Make() with { RecordsPerShard = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CorpusPreparer(new ByteTokenizer(), Make() with { SeqLen = 0 }));
    }
}
