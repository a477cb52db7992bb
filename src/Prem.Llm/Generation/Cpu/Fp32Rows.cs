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
    public void* Row(long row) => data + row * cols;

    /// <inheritdoc />
    public static Vector256<float> Load8(void* row, long k) => Vector256.Load((float*)row + k);

    /// <inheritdoc />
    public static void Prefetch(void* row, long k)
    {
        if (Sse.IsSupported) Sse.Prefetch0((float*)row + k);
    }

    /// <inheritdoc />
    public static int ElementBytes => sizeof(float);

    /// <inheritdoc />
    public float Load1(long row, int k) => data[row * cols + k];
}
