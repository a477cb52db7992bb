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
    public Vector256<float> Load8(long row, int k) => Load8(data + row * cols, k);

    /// <inheritdoc />
    public void* Row(long row) => data + row * cols;

    /// <inheritdoc />
    public static Vector256<float> Load8(void* row, long k) => Avx2.IsSupported
        // VPMOVZXWD with its memory operand: one instruction fewer per load than a load and a widen.
        ? Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32((ushort*)row + k), 16).AsSingle()
        : (Vector256.WidenLower(Vector128.Load((ushort*)row + k).ToVector256Unsafe()) << 16).AsSingle();

    /// <inheritdoc />
    public static void Prefetch(void* row, long k)
    {
        if (Sse.IsSupported) Sse.Prefetch0((ushort*)row + k);
    }

    /// <inheritdoc />
    public static int ElementBytes => sizeof(ushort);

    /// <inheritdoc />
    public float Load1(long row, int k) => BitConverter.UInt32BitsToSingle((uint)data[row * cols + k] << 16);
}
