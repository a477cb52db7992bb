using System.Runtime.Intrinsics;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// Row access to a weight matrix in its stored format, widened to float32 inside the kernels. The
/// kernels are generic over a struct implementing this, so the JIT compiles one loop per format.
/// </summary>
internal unsafe interface IWeightRows
{
    /// <summary>Elements k … k + 15 of row <paramref name="row"/> as float32 (k is a multiple of 16).</summary>
    Vector512<float> Load16(long row, int k);

    /// <summary>Elements k … k + 7 of row <paramref name="row"/> as float32 (k is a multiple of 8), for <see cref="MatMulKernel256"/>.</summary>
    Vector256<float> Load8(long row, int k);

    /// <summary>
    /// Where row <paramref name="row"/> starts in memory (past the last row too): loops that keep their rows' starts
    /// load with <see cref="Load8(void*, long)"/>, one address register each, rather than multiply row · cols per load.
    /// </summary>
    void* Row(long row);

    /// <summary>Elements k … k + 7 of the row starting at <paramref name="row"/> (from <see cref="Row"/>) as float32.</summary>
    static abstract Vector256<float> Load8(void* row, long k);

    /// <summary>
    /// Asks for the cache line holding element <paramref name="k"/> counted from <paramref name="row"/> (from <see cref="Row"/>;
    /// past the matrix's end is harmless: a prefetch never faults).
    /// </summary>
    static abstract void Prefetch(void* row, long k);

    /// <summary>Bytes an element takes in memory (4 for float32, 2 for bf16): how far ahead a prefetched line reaches.</summary>
    static abstract int ElementBytes { get; }

    /// <summary>Element k of row <paramref name="row"/> as float32.</summary>
    float Load1(long row, int k);
}
