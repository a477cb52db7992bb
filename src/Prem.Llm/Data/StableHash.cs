namespace Prem.Llm.Data;

/// <summary>
/// A fixed 64-bit mixing function (SplitMix64's finaliser). Written by hand because the framework's
/// <see cref="HashCode"/> is randomised per process and <see cref="Random"/>'s seeded sequence is not
/// a documented contract; splits and shuffles must be the same on every machine and .NET version.
/// </summary>
internal static class StableHash
{
    /// <summary>Mixes <paramref name="x"/> into a well-distributed 64-bit value.</summary>
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>Hash of a (seed, index) pair.</summary>
    public static ulong Of(long seed, long index) => Mix(Mix((ulong)seed) ^ (ulong)index);

    /// <summary>A uniform value in [0, 1) from the top 53 bits of <see cref="Of"/>.</summary>
    public static double Unit(long seed, long index) => (Of(seed, index) >> 11) * (1.0 / (1UL << 53));
}
