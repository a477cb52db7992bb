using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Evaluation;

/// <summary>
/// Picks the documents of a task to evaluate. Without a seed, <c>--limit N</c> takes the first N, as
/// lm-eval's <c>--limit</c> does; with a seed it takes a uniform random subset of N, kept in file order,
/// the same on every machine and .NET version (own SplitMix64, not <see cref="Random"/>).
/// </summary>
internal static class DocumentSampler
{
    /// <summary>The indices (ascending) of the documents to evaluate out of <paramref name="count"/>.</summary>
    public static int[] Select(int count, int? limit, ulong? seed = null)
    {
        if (limit is < 0) throw new EvaluationException($"limit must be non-negative, got {limit}");
        int n = Math.Min(count, limit ?? count);
        if (seed is null || n == count) return Enumerable.Range(0, n).ToArray();
        var indices = Enumerable.Range(0, count).ToArray();
        ulong state = seed.Value;
        // Partial Fisher–Yates: the first n slots end up a uniform sample.
        for (int i = 0; i < n; i++)
        {
            int j = i + (int)(Next(ref state) % (ulong)(count - i));
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
        var chosen = indices[..n];
        Array.Sort(chosen);
        return chosen;
    }

    private static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
