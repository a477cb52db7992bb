namespace Prem.Llm.Tests;

/// <summary>
/// The seed of a fuzzer's input <c>i</c>: the same in every process. (HashCode.Combine, used before, is randomised per
/// process, so a "seeded" run drew other inputs each time and its accepted/rejected counts wandered.)
/// </summary>
internal static class FuzzSeed
{
    /// <summary>A seed for input <paramref name="index"/> of a run seeded with <paramref name="seed"/>.</summary>
    public static int For(int seed, int index) => unchecked(seed * 1_000_003 + index * 7_919);
}
