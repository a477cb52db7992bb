using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Prem.Llm.Native;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// Weight-only int8 in the style of llama.cpp's Q8_0: each row is cut into blocks of
/// <see cref="BlockSize"/> columns, each block stores round(w / d) in [−127, 127] with d = max|w| / 127
/// (kept as float32). The products run in integer arithmetic against activations quantised the same way
/// per token (<see cref="Q8Activations"/>), as llama.cpp's Q8_0 × Q8_0 dot does: in AVX512-VNNI where the CPU
/// has it (<see cref="NativeCpuKernels"/>), otherwise in <see cref="Int8Kernel"/>. Both sum each block exactly in
/// integers; they differ only in the float32 summation of the scaled blocks.
/// </summary>
internal sealed unsafe class Int8Matrix : CpuMatrix
{
    /// <summary>Columns per scale.</summary>
    public const int BlockSize = 32;

    // Pinned arrays: the kernels hold raw pointers into them.
    readonly sbyte[] _quants;
    readonly float[] _scales;

    Int8Matrix(sbyte[] quants, float[] scales)
    {
        _quants = quants;
        _scales = scales;
    }

    /// <summary>Blocks per row (the last may be shorter than <see cref="BlockSize"/>).</summary>
    public int BlocksPerRow => (Cols + BlockSize - 1) / BlockSize;

    /// <inheritdoc />
    public override long Bytes => (long)Rows * Cols + _scales.LongLength * sizeof(float);

    [ThreadStatic] static Q8Activations? _scratch;

    sbyte* Quants => (sbyte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_quants));
    float* Scales => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_scales));

    /// <summary>Quantises <paramref name="rows"/> × <paramref name="cols"/> weights; <paramref name="readRow"/> writes row r as float32.</summary>
    public static Int8Matrix Quantize(int rows, int cols, Action<int, Span<float>> readRow)
    {
        int blocks = (cols + BlockSize - 1) / BlockSize;
        // 32 spare bytes: a short last block of the last row is read as a whole block (times zero activations).
        var quants = GC.AllocateArray<sbyte>(checked(rows * cols + BlockSize), pinned: true);
        var scales = GC.AllocateUninitializedArray<float>(checked(rows * blocks), pinned: true);
        Parallel.For(0, rows, () => new float[cols], (r, _, row) =>
        {
            readRow(r, row);
            for (int b = 0; b < blocks; b++)
            {
                int start = b * BlockSize, length = Math.Min(BlockSize, cols - start);
                scales[r * blocks + b] = QuantizeBlock(row.AsSpan(start, length), quants.AsSpan(r * cols + start, length));
            }
            return row;
        }, _ => { });
        return new Int8Matrix(quants, scales) { Rows = rows, Cols = cols };
    }

    /// <summary>One block: d = max|w| / 127, q = round(w / d) (half away from zero, as llama.cpp); d = 0 for an all-zero block.</summary>
    internal static float QuantizeBlock(ReadOnlySpan<float> block, Span<sbyte> quants)
    {
        float amax = 0;
        foreach (float v in block) amax = Math.Max(amax, Math.Abs(v));
        float d = amax / 127f;
        float inverse = d == 0 ? 0 : 1f / d;
        for (int i = 0; i < block.Length; i++)
            quants[i] = (sbyte)Math.Clamp(MathF.Round(block[i] * inverse, MidpointRounding.AwayFromZero), -127, 127);
        return d;
    }

    /// <inheritdoc />
    public override void Multiply(float* x, int xStride, int tokens, float* y, int yStride, int rowStart, int rowEnd, PreparedInput? prepared = null)
    {
        if (prepared is not Q8Activations quantized)
        {
            quantized = _scratch ??= new Q8Activations();
            quantized.Quantize(x, xStride, tokens, Cols);
        }
        if (quantized.HasNativeLayout && NativeCpuKernels.Int8.Use)
            NativeCpuKernels.Q8MatMul(Quants, Scales, Cols, quantized.Unsigned(0), (long)quantized.Blocks * BlockSize,
                quantized.ExpandedScales(0), quantized.ExpandedStride, tokens, y, yStride, rowStart, rowEnd);
        else
            Int8Kernel.Multiply(Quants, Scales, Cols, quantized, y, yStride, rowStart, rowEnd);
    }

    /// <inheritdoc />
    public override void ReadRow(int row, Span<float> destination)
    {
        int blocks = BlocksPerRow;
        for (int k = 0; k < Cols; k++) destination[k] = _quants[row * Cols + k] * _scales[row * blocks + k / BlockSize];
    }
}
