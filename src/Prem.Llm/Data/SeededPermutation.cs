namespace Prem.Llm.Data;

/// <summary>
/// The per-epoch shuffle shared by the loaders: a Fisher–Yates permutation of [0, count) driven by
/// <see cref="StableHash"/> of (seed, epoch), so every machine and .NET version gets the same order.
/// </summary>
internal static class SeededPermutation
{
    /// <summary>A permutation of [0, <paramref name="count"/>) for (<paramref name="seed"/>, <paramref name="epoch"/>).</summary>
    public static int[] Create(int count, long seed, long epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var perm = new int[count];
        for (int i = 0; i < count; i++) perm[i] = i;
        ulong key = StableHash.Of(seed, epoch);
        for (int i = count - 1; i > 0; i--)
        {
            // Multiply-shift maps the 64-bit hash onto [0, i]; the bias is below 2^-32 for any realistic count.
            ulong r = StableHash.Mix(key ^ (ulong)i);
            int j = (int)(((UInt128)r * (ulong)(i + 1)) >> 64);
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
        return perm;
    }
}
