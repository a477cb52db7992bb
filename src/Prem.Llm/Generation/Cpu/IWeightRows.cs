using System.Runtime.Intrinsics;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// Row access to a weight matrix in its stored format, widened to float32 inside the kernels. The
/// kernels are generic over a struct implementing this, so the JIT compiles one loop per format.
/// </summary>
internal interface IWeightRows
{
    /// <summary>Elements k … k + 15 of row <paramref name="row"/> as float32 (k is a multiple of 16).</summary>
    Vector512<float> Load16(long row, int k);

    /// <summary>Elements k … k + 7 of row <paramref name="row"/> as float32 (k is a multiple of 8), for <see cref="MatMulKernel256"/>.</summary>
    Vector256<float> Load8(long row, int k);

    /// <summary>
    /// Asks for the cache line holding element <paramref name="element"/> of the matrix (row-major index; past the end
    /// is harmless: a prefetch never faults).
    /// </summary>
    void Prefetch(long element);

    /// <summary>
    /// Elements <paramref name="element"/> … + 7 of the matrix as float32 (row-major index, within one row): for loops that
    /// keep a row's start themselves rather than multiply row · cols at every load.
    /// </summary>
    Vector256<float> Load8(long element);

    /// <summary>Element k of row <paramref name="row"/> as float32.</summary>
    float Load1(long row, int k);
}
