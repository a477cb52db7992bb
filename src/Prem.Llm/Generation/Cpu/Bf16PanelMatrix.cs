using Prem.Llm.Native;
using Prem.Llm.Numerics;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// A bfloat16 copy of a weight matrix in the layout of the native AVX512-BF16 panel kernel
/// (<c>prem_bf16_panels_matmul</c>): panels of <see cref="CpuMatrix.PanelRows"/> rows, each a run of 64-byte
/// vectors, vector j holding columns 2j and 2j + 1 of the panel's 16 rows (row i's pair in lane i; an odd
/// last column's partner is zero). Its products take the activations rounded to bf16 and sum in float32,
/// as <see cref="Bf16Matrix"/>'s do, in another order.
/// </summary>
/// <remarks>
/// With rows across the lanes, one weight vector serves every token of a call (each token's pair of bf16
/// broadcast), no sums cross lanes and a panel's 16 outputs are one store, so eight tokens cost one pass
/// over the weights. The row-major <see cref="Bf16Matrix"/> reloads each token's activations for every
/// pair of rows, reduces 16 lanes per output, and takes eight tokens in two passes. The price is a copy:
/// <see cref="Bf16Matrix"/> reads the model's own tensors in place. Built for <see cref="CpuWeightFormat.Bf16"/>
/// where the CPU has AVX512-BF16 (benchmarks/README.md, sixth pass).
/// </remarks>
internal sealed unsafe class Bf16PanelMatrix : CpuMatrix
{
    [ThreadStatic] static Bf16Activations? _scratch;

    readonly ushort[] _bits; // pinned (AlignedPinned): the first panel starts on a 64-byte boundary
    readonly ushort* _start;

    Bf16PanelMatrix(int rows, int cols) =>
        _bits = AlignedPinned.Allocate<ushort>((long)((rows + PanelRows - 1) / PanelRows) * PanelRows * Pairs(cols) * 2, out _start);

    /// <summary>
    /// Rounds <paramref name="rows"/> × <paramref name="cols"/> weights to bf16 (ties to even; exact for bf16
    /// weights) into panels; <paramref name="readRow"/> writes row r as float32.
    /// </summary>
    public static Bf16PanelMatrix Pack(int rows, int cols, Action<int, Span<float>> readRow)
    {
        var matrix = new Bf16PanelMatrix(rows, cols) { Rows = rows, Cols = cols };
        Parallel.For(0, rows, () => (new float[cols], new ushort[cols]), (r, _, scratch) =>
        {
            var (row, bits) = scratch;
            readRow(r, row);
            BFloat16Bits.FromSingle(row, bits);
            matrix.SetRow(r, bits);
            return scratch;
        }, _ => { });
        return matrix;
    }

    /// <inheritdoc />
    public override long Bytes => (long)((Rows + PanelRows - 1) / PanelRows) * PanelRows * Pairs(Cols) * 2 * sizeof(ushort);

    /// <inheritdoc />
    /// <remarks><paramref name="rowStart"/> is a multiple of <see cref="CpuMatrix.PanelRows"/> (the engine's chunks are).</remarks>
    public override void Multiply(float* x, int xStride, int tokens, float* y, int yStride, int rowStart, int rowEnd, PreparedInput? prepared = null)
    {
        RequirePanelStart(rowStart);
        if (prepared is not Bf16Activations input)
        {
            input = _scratch ??= new Bf16Activations();
            input.Round(x, xStride, tokens, Cols);
        }
        NativeCpuKernels.Bf16PanelsMatMul(_start, Cols, input.Bits, Cols, tokens, y, yStride, rowStart, rowEnd);
    }

    /// <inheritdoc />
    public override void ReadRow(int row, Span<float> destination)
    {
        for (int k = 0; k < Cols; k++) destination[k] = BFloat16Bits.ToSingle(_start[Index(row, k)]);
    }

    void SetRow(int row, ReadOnlySpan<ushort> bits)
    {
        // A pair at a time: its two bf16 are the lane's 32 bits, the lower column in the low half.
        uint* lane = (uint*)(_start + Index(row, 0));
        int k = 0;
        for (; k + 2 <= bits.Length; k += 2, lane += PanelRows) *lane = bits[k] | (uint)bits[k + 1] << 16;
        if (k < bits.Length) *lane = bits[k];
    }

    // Element (row, k): its panel, then vector k / 2, lane row % 16, half k % 2.
    long Index(int row, int k) => ((long)(row / PanelRows) * Pairs(Cols) + k / 2) * 2 * PanelRows + row % PanelRows * 2 + k % 2;

    static long Pairs(int cols) => (cols + 1) / 2;
}
