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

    /// <summary>Element k of row <paramref name="row"/> as float32.</summary>
    float Load1(long row, int k);
}
