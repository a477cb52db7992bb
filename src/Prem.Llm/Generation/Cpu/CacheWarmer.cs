using System.Runtime.CompilerServices;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// Reads one word of every cache line of a range of weights, as its own pass, before a batched kernel
/// multiplies them: a chunk (<see cref="ProjectionJob.ChunkBytes"/>) then comes from the L2 cache.
/// </summary>
/// <remarks>
/// Measured on the 2-core EPYC of the benchmarks (and reproduced in C, gcc -O3): a kernel doing 8 tokens'
/// multiply-adds per weight read its weights from memory at a third of the rate it reads them from L2
/// (1.6–1.8 vs 5.5 G weights/s per core, float32), though that is only 7 GB/s; neither software prefetches
/// nor extra loads inside the loop changed that, while a separate pass of plain loads over each chunk
/// first (memory-bound, ~20 GB/s) made the pair 1.3–1.5× faster. One token's pass needs none: it is the
/// memory-bound loop itself. On a Zen 3 VM without AVX-512 the other way round: the 256-bit kernel's prefetches of its
/// next rows beat this pass by 1.2–1.5× (<see cref="MatMulKernel.PrefetchesAhead"/>), so it runs only for the 512-bit kernel.
/// </remarks>
internal static unsafe class CacheWarmer
{
    [ThreadStatic] static int _sink;

    /// <summary>Whether <see cref="Touch"/> reads (on by default; the benchmarks' smoke tool turns it off to compare).</summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>Reads the cache lines of [<paramref name="start"/>, <paramref name="start"/> + <paramref name="bytes"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Touch(void* start, long bytes)
    {
        if (!Enabled) return;
        byte* p = (byte*)start;
        int a = 0, b = 0, c = 0, d = 0;
        long i = 0;
        for (; i + 256 <= bytes; i += 256)
        {
            a += p[i];
            b += p[i + 64];
            c += p[i + 128];
            d += p[i + 192];
        }
        for (; i < bytes; i += 64) a += p[i];
        _sink += a + b + c + d; // keeps the loads
    }
}
