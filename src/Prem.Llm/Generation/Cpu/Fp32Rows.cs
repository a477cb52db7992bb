using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Prem.Llm.Generation.Cpu;

/// <summary>Row-major float32 weights [rows, cols].</summary>
internal readonly unsafe struct Fp32Rows(float* data, int cols) : IWeightRows
{
    /// <inheritdoc />
    public Vector512<float> Load16(long row, int k) => Vector512.Load(data + row * cols + k);

    /// <inheritdoc />
    public Vector256<float> Load8(long row, int k) => Vector256.Load(data + row * cols + k);

    /// <inheritdoc />
    public Vector256<float> Load8(long element) => Vector256.Load(data + element);

    /// <inheritdoc />
    public void Prefetch(long element)
    {
        if (Sse.IsSupported) Sse.Prefetch0(data + element);
    }

    /// <inheritdoc />
    public float Load1(long row, int k) => data[row * cols + k];
}
