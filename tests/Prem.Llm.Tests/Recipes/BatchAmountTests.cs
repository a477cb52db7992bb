using Prem.Llm.Recipes;

namespace Prem.Llm.Tests.Recipes;

public class BatchAmountTests
{
    [Theory]
    [InlineData(0.5, 10, 5)]
    [InlineData(0.25, 10, 2)]   // Lightning floors
    [InlineData(0.01, 10, 1)]   // but never below one batch for a non-zero fraction
    [InlineData(1.0, 7, 7)]
    public void A_fraction_resolves_to_the_floor_of_its_share(double fraction, long perEpoch, long expected) =>
        Assert.Equal(expected, BatchAmount.Fraction(fraction).Resolve(perEpoch));

    [Fact]
    public void A_count_is_itself_and_is_all_only_when_it_covers_the_epoch()
    {
        Assert.Equal(3, BatchAmount.Batches(3).Resolve(100));
        Assert.False(BatchAmount.Batches(3).IsAll(100));
        Assert.True(BatchAmount.Batches(100).IsAll(100));
        Assert.True(BatchAmount.All.IsAll(null));
    }

    [Fact]
    public void Out_of_range_values_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchAmount.Fraction(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchAmount.Batches(-1));
    }
}
