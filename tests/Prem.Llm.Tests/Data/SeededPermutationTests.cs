using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data;

public class SeededPermutationTests
{
    [Fact]
    public void Is_a_permutation_fixed_by_seed_and_epoch()
    {
        var p = SeededPermutation.Create(1000, 42, 3);
        Assert.Equal(Enumerable.Range(0, 1000), p.Order());
        Assert.Equal(p, SeededPermutation.Create(1000, 42, 3));
        Assert.NotEqual(p, SeededPermutation.Create(1000, 42, 4));
        Assert.NotEqual(p, SeededPermutation.Create(1000, 43, 3));
        Assert.Empty(SeededPermutation.Create(0, 1, 1));
    }

    [Fact]
    public void Matches_an_independent_fisher_yates_over_StableHash()
    {
        // The same algorithm written out from its definition: swap i with j = floor(Mix(key ^ i) * (i + 1) / 2^64).
        ulong key = StableHash.Of(5, 2);
        var expected = Enumerable.Range(0, 50).ToArray();
        for (int i = 49; i > 0; i--)
        {
            int j = (int)(new System.Numerics.BigInteger(StableHash.Mix(key ^ (ulong)i)) * (i + 1) / System.Numerics.BigInteger.Pow(2, 64));
            (expected[i], expected[j]) = (expected[j], expected[i]);
        }
        Assert.Equal(expected, SeededPermutation.Create(50, 5, 2));
    }
}
