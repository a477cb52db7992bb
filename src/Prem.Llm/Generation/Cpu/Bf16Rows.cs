using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Prem.Llm.Generation.Cpu;

/// <summary>Row-major bfloat16 weights [rows, cols] as raw bits; a bf16 is the top half of a float32.</summary>
internal readonly unsafe struct Bf16Rows(ushort* data, int cols) : IWeightRows
{
    /// <inheritdoc />
    public Vector512<float> Load16(long row, int k) =>
        (Vector512.WidenLower(Vector256.Load(data + row * cols + k).ToVector512Unsafe()) << 16).AsSingle();

    /// <inheritdoc />
    public Vector256<float> Load8(long row, int k) =>
        (Vector256.WidenLower(Vector128.Load(data + row * cols + k).ToVector256Unsafe()) << 16).AsSingle();

    /// <inheritdoc />
    public Vector256<float> Load8(long element) =>
        (Vector256.WidenLower(Vector128.Load(data + element).ToVector256Unsafe()) << 16).AsSingle();

    /// <inheritdoc />
    public void Prefetch(long element)
    {
        if (Sse.IsSupported) Sse.Prefetch0(data + element);
    }

    /// <inheritdoc />
    public float Load1(long row, int k) => BitConverter.UInt32BitsToSingle((uint)data[row * cols + k] << 16);
}
