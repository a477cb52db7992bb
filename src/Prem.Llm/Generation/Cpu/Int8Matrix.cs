using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Prem.Llm.Native;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// Weight-only int8 in the style of llama.cpp's Q8_0: each row is cut into blocks of
/// <see cref="BlockSize"/> columns, each block stores round(w / d) in [−127, 127] with d = max|w| / 127
/// (kept as float32). The products run in integer arithmetic against activations quantised the same way
/// per token (<see cref="Q8Activations"/>), as llama.cpp's Q8_0 × Q8_0 dot does: in AVX512-VNNI where the CPU
/// has it (<see cref="NativeCpuKernels"/>) or in AVX2 or AVX-VNNI (<see cref="Int8PanelKernel"/>), the weights in
/// <see cref="Int8Panels"/> (the two give the same bits), otherwise in <see cref="Int8Kernel"/> (rows back to back).
/// All sum each block exactly in integers; they differ only in the float32 summation of the scaled blocks.
/// </summary>
internal sealed unsafe class Int8Matrix : CpuMatrix
{
    /// <summary>Columns per scale.</summary>
    public const int BlockSize = 32;

    // Pinned arrays (the kernels hold raw pointers into them): rows back to back for the managed kernel, or
    // the native kernel's panels; which one is fixed when the matrix is quantised.
    readonly sbyte[]? _quants;
    readonly float[]? _scales;
    readonly Int8Panels? _panels;

    Int8Matrix(sbyte[]? quants, float[]? scales, Int8Panels? panels, bool native)
    {
        _quants = quants;
        _scales = scales;
        _panels = panels;
        Native = native;
    }

    /// <summary>Blocks per row (the last may be shorter than <see cref="BlockSize"/>).</summary>
    public int BlocksPerRow => (Cols + BlockSize - 1) / BlockSize;

    /// <summary>Whether the weights are in panels (<see cref="Int8Panels"/>), rather than rows back to back.</summary>
    public bool Panels => _panels is not null;

    /// <summary>
    /// Whether the native VNNI kernel multiplies the panels (fixed when the matrix is quantised); otherwise
    /// <see cref="Int8PanelKernel"/> does, with the same bits.
    /// </summary>
    public bool Native { get; }

    /// <inheritdoc />
    public override long Bytes => _panels?.Bytes ?? (long)Rows * Cols + _scales!.LongLength * sizeof(float);

    [ThreadStatic] static Q8Activations? _scratch;

    sbyte* Quants => (sbyte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_quants!));
    float* Scales => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_scales!));

    /// <summary>
    /// Quantises <paramref name="rows"/> × <paramref name="cols"/> weights; <paramref name="readRow"/> writes row r as float32.
    /// In panels where the native kernel is in use (<see cref="NativeCpuKernels.Int8"/>) or, with AVX-VNNI or short of
    /// AVX-512, the AVX2 one runs (<see cref="Int8PanelKernel"/>), unless <paramref name="panels"/> says otherwise; rows
    /// back to back for <see cref="Int8Kernel"/> (AVX-512BW without the native kernel or AVX-VNNI, or no AVX2).
    /// </summary>
    public static Int8Matrix Quantize(int rows, int cols, Action<int, Span<float>> readRow, bool? panels = null)
    {
        int blocks = (cols + BlockSize - 1) / BlockSize;
        if (panels ?? (NativeCpuKernels.Int8.Use || (Int8PanelKernel.UseAvx2 && (Int8PanelKernel.UseAvxVnni || !Int8Kernel.UseAvx512))))
        {
            var layout = Int8Panels.Allocate(rows, cols);
            Parallel.For(0, rows, () => (new float[cols], new sbyte[cols], new float[blocks]), (r, _, scratch) =>
            {
                var (row, quants, scales) = scratch;
                readRow(r, row);
                QuantizeRow(row, quants, scales);
                layout.SetRow(r, quants, scales);
                return scratch;
            }, _ => { });
            return new Int8Matrix(null, null, layout, NativeCpuKernels.Int8.Use) { Rows = rows, Cols = cols };
        }
        // 32 spare bytes: a short last block of the last row is read as a whole block (times zero activations).
        var allQuants = GC.AllocateArray<sbyte>(checked(rows * cols + BlockSize), pinned: true);
        var allScales = GC.AllocateUninitializedArray<float>(checked(rows * blocks), pinned: true);
        Parallel.For(0, rows, () => new float[cols], (r, _, row) =>
        {
            readRow(r, row);
            QuantizeRow(row, allQuants.AsSpan(r * cols, cols), allScales.AsSpan(r * blocks, blocks));
            return row;
        }, _ => { });
        return new Int8Matrix(allQuants, allScales, null, native: false) { Rows = rows, Cols = cols };
    }

    static void QuantizeRow(ReadOnlySpan<float> row, Span<sbyte> quants, Span<float> scales)
    {
        for (int b = 0; b < scales.Length; b++)
        {
            int start = b * BlockSize, length = Math.Min(BlockSize, row.Length - start);
            scales[b] = QuantizeBlock(row.Slice(start, length), quants.Slice(start, length));
        }
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
    /// <remarks>In panels, <paramref name="rowStart"/> is a multiple of <see cref="CpuMatrix.PanelRows"/> (the engine's chunks are).</remarks>
    public override void Multiply(float* x, int xStride, int tokens, float* y, int yStride, int rowStart, int rowEnd, PreparedInput? prepared = null)
    {
        if (prepared is not Q8Activations quantized)
        {
            quantized = _scratch ??= new Q8Activations();
            quantized.Quantize(x, xStride, tokens, Cols);
        }
        if (_panels is null)
        {
            Int8Kernel.Multiply(Quants, Scales, Cols, quantized, y, yStride, rowStart, rowEnd);
            return;
        }
        RequirePanelStart(rowStart);
        if (!Native)
        {
            Int8PanelKernel.Multiply(_panels, quantized, y, yStride, rowStart, rowEnd);
            return;
        }
        if (!quantized.HasSignedBytes)
            throw new InvalidOperationException("The activations were quantised without the native kernel's bytes (NativeCpuKernels.Int8 is not available).");
        NativeCpuKernels.Q8MatMul(_panels.Start, Cols, quantized.Signed(0), (long)quantized.Blocks * BlockSize, quantized.Scales(0),
            quantized.Corrections(0), quantized.Blocks, tokens, y, yStride, rowStart, rowEnd);
    }

    /// <inheritdoc />
    public override void ReadRow(int row, Span<float> destination)
    {
        if (_panels is { } panels)
        {
            panels.ReadRow(row, destination[..Cols]);
            return;
        }
        int blocks = BlocksPerRow;
        destination = destination[..Cols];
        TensorPrimitives.ConvertChecked<sbyte, float>(_quants.AsSpan(row * Cols, Cols), destination);
        for (int b = 0; b < blocks; b++)
        {
            var block = destination.Slice(b * BlockSize, Math.Min(BlockSize, Cols - b * BlockSize));
            TensorPrimitives.Multiply(block, _scales![row * blocks + b], block);
        }
    }
}
