using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// Row-major int8 weights [rows, cols] with one float32 scale per block of
/// <see cref="Int8Matrix.BlockSize"/> columns of a row (the last block of a row may be shorter).
/// </summary>
internal readonly unsafe struct Int8Rows(sbyte* quants, float* scales, int cols) : IWeightRows
{
    readonly int _blocksPerRow = (cols + Int8Matrix.BlockSize - 1) / Int8Matrix.BlockSize;

    /// <inheritdoc />
    public Vector512<float> Load16(long row, int k)
    {
        var ints = Avx512F.ConvertToVector512Int32(Vector128.Load(quants + row * cols + k));
        return Vector512.ConvertToSingle(ints) * scales[row * _blocksPerRow + k / Int8Matrix.BlockSize];
    }

    /// <inheritdoc />
    public float Load1(long row, int k) => quants[row * cols + k] * scales[row * _blocksPerRow + k / Int8Matrix.BlockSize];
}
