using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// Int8 weights in the layout the native VNNI kernel (<c>prem_q8_matmul</c>) and <see cref="Int8PanelKernel"/> read: panels of
/// <see cref="CpuMatrix.PanelRows"/> rows; for each block of 32 columns of a panel, the 16 rows' float32 scales
/// (64 bytes), then eight 64-byte vectors, vector g holding columns 4g … 4g + 3 of the block for rows
/// 0 … 15 (row i's four bytes at 4i), each weight stored as w + 128 (VPDPBUSD's unsigned operand, for the native and
/// AVX-VNNI kernels; the AVX2 one flips the top bit back). The lanes of rows past the matrix's
/// last are never stored, and columns past its last meet zero activations, so both stay as allocated (zeros).
/// </summary>
/// <remarks>
/// With rows across the vector lanes, one weight vector serves every token of a call (each token's four
/// bytes broadcast), a block sums exactly in one int32 lane, and a panel's 16 outputs are stored without
/// adding lanes together: at eight tokens the VNNI kernel ran 2.5–2.8× the row-major one from cache, and the 1.1B
/// shape's layers 1.4–1.5× faster from memory (benchmarks/README.md, sixth pass); the AVX2 kernel reads each 64-byte
/// vector as two 256-bit halves (tenth pass).
/// </remarks>
internal sealed unsafe class Int8Panels
{
    const int PanelRows = CpuMatrix.PanelRows;

    /// <summary>Bytes per block of a panel: 16 scales, then 16 rows × 32 weights.</summary>
    public const int BlockBytes = PanelRows * sizeof(float) + PanelRows * Int8Matrix.BlockSize;

    readonly byte[] _bytes; // pinned (AlignedPinned): the first panel starts on a 64-byte boundary
    readonly byte* _start;

    Int8Panels(int rows, int cols)
    {
        Rows = rows;
        Blocks = (cols + Int8Matrix.BlockSize - 1) / Int8Matrix.BlockSize;
        _bytes = AlignedPinned.Allocate<byte>((long)Panels * Blocks * BlockBytes, out _start);
    }

    /// <summary>Rows of the matrix.</summary>
    public int Rows { get; }

    /// <summary>Blocks per row.</summary>
    public int Blocks { get; }

    /// <summary>Panels (the last may hold fewer than 16 rows of the matrix).</summary>
    public int Panels => (Rows + PanelRows - 1) / PanelRows;

    /// <summary>Bytes of the layout (weights, scales and padding).</summary>
    public long Bytes => (long)Panels * Blocks * BlockBytes;

    /// <summary>The first panel, 64-byte aligned.</summary>
    public byte* Start => _start;

    /// <summary>A layout for <paramref name="rows"/> × <paramref name="cols"/> weights, to be filled by <see cref="SetRow"/>.</summary>
    public static Int8Panels Allocate(int rows, int cols) => new(rows, cols);

    /// <summary>Writes row <paramref name="row"/>: its quantised weights (one per column) and one scale per block.</summary>
    public void SetRow(int row, ReadOnlySpan<sbyte> quants, ReadOnlySpan<float> scales)
    {
        byte* panel = _start + (long)(row / PanelRows) * Blocks * BlockBytes;
        int lane = row % PanelRows;
        for (int b = 0; b < Blocks; b++)
        {
            byte* block = panel + (long)b * BlockBytes;
            ((float*)block)[lane] = scales[b];
            int start = b * Int8Matrix.BlockSize, length = Math.Min(Int8Matrix.BlockSize, quants.Length - start);
            if (length == Int8Matrix.BlockSize)
            {
                // Four columns at a time; q + 128 as a byte is q with its top bit flipped.
                fixed (sbyte* q = &quants[start])
                    for (int g = 0; g < 8; g++)
                        *(uint*)(block + Offset(lane, 4 * g)) = ((uint*)q)[g] ^ 0x80808080u;
                continue;
            }
            for (int k = 0; k < length; k++) block[Offset(lane, k)] = (byte)(quants[start + k] + 128);
        }
    }

    /// <summary>Weight (<paramref name="row"/>, <paramref name="col"/>) as its quantised value and its block's scale.</summary>
    public (sbyte Quant, float Scale) Get(int row, int col)
    {
        byte* block = _start + ((long)(row / PanelRows) * Blocks + col / Int8Matrix.BlockSize) * BlockBytes;
        int lane = row % PanelRows;
        return (Quant(block, lane, col % Int8Matrix.BlockSize), ((float*)block)[lane]);
    }

    /// <summary>Row <paramref name="row"/> dequantised (quant · scale) into the first <c>cols</c> values of <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ReadRow(int row, Span<float> destination)
    {
        byte* panel = _start + (long)(row / PanelRows) * Blocks * BlockBytes;
        int lane = row % PanelRows;
        // The row's four bytes of each of a block's eight vectors, 64 bytes apart: one gather.
        var offsets = Vector256.Create(0, 64, 128, 192, 256, 320, 384, 448);
        fixed (float* y = destination)
            for (int b = 0; b < Blocks; b++)
            {
                byte* block = panel + (long)b * BlockBytes;
                float scale = ((float*)block)[lane];
                int start = b * Int8Matrix.BlockSize, length = Math.Min(Int8Matrix.BlockSize, destination.Length - start);
                if (length == Int8Matrix.BlockSize && Avx2.IsSupported)
                {
                    var bytes = (Avx2.GatherVector256((int*)(block + Offset(lane, 0)), offsets, 1).AsByte() ^ Vector256.Create((byte)0x80)).AsSByte();
                    var (low, high) = Vector256.Widen(bytes);
                    var (q0, q1) = Vector256.Widen(low);
                    var (q2, q3) = Vector256.Widen(high);
                    (Vector256.ConvertToSingle(q0) * scale).Store(y + start);
                    (Vector256.ConvertToSingle(q1) * scale).Store(y + start + 8);
                    (Vector256.ConvertToSingle(q2) * scale).Store(y + start + 16);
                    (Vector256.ConvertToSingle(q3) * scale).Store(y + start + 24);
                    continue;
                }
                for (int k = 0; k < length; k++) y[start + k] = Quant(block, lane, k) * scale;
            }
    }

    /// <summary>The quantised weight of column <paramref name="k"/> (within the block at <paramref name="block"/>) of lane <paramref name="lane"/>: the stored byte less 128.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static sbyte Quant(byte* block, int lane, int k) => (sbyte)(block[Offset(lane, k)] ^ 0x80);

    // Byte of column k (within its block) of lane i, from the block's start: after the scales, vector k / 4, lane i, byte k % 4.
    static int Offset(int lane, int k) => PanelRows * sizeof(float) + k / 4 * 64 + lane * 4 + k % 4;
}
