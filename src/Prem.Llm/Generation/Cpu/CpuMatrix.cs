namespace Prem.Llm.Generation.Cpu;

/// <summary>A weight matrix [rows, cols] in the format the CPU engine reads it in (float32, bf16 or int8).</summary>
internal abstract unsafe class CpuMatrix
{
    /// <summary>Output features.</summary>
    public required int Rows { get; init; }

    /// <summary>Input features.</summary>
    public required int Cols { get; init; }

    /// <summary>
    /// Rows per panel of the native kernels' layouts (<see cref="Int8Panels"/>, <see cref="Bf16PanelMatrix"/>: the 16
    /// float32 lanes of a 512-bit vector). Such matrices take row ranges from a panel start; the engine's chunks are
    /// whole panels for every format.
    /// </summary>
    public const int PanelRows = 16;

    /// <summary>Throws unless <paramref name="rowStart"/> starts a panel (<see cref="PanelRows"/>).</summary>
    internal static void RequirePanelStart(int rowStart)
    {
        if (rowStart % PanelRows != 0)
            throw new ArgumentOutOfRangeException(nameof(rowStart), rowStart, $"Panels start every {PanelRows} rows.");
    }

    /// <summary>Bytes read for one pass over the matrix (weights and scales).</summary>
    public abstract long Bytes { get; }

    /// <summary>
    /// y[t · yStride + r] = row r · x[t · xStride …] for rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>)
    /// and <paramref name="tokens"/> input rows. <paramref name="prepared"/>: the same rows already in the form this
    /// matrix reads them (<see cref="Bf16Activations"/>, <see cref="Q8Activations"/>); without it the matrix prepares
    /// them itself, and float32 matrices read x as it is.
    /// </summary>
    public abstract void Multiply(float* x, int xStride, int tokens, float* y, int yStride, int rowStart, int rowEnd, PreparedInput? prepared = null);

    /// <summary>Row <paramref name="row"/> as float32 (embedding lookup).</summary>
    public abstract void ReadRow(int row, Span<float> destination);
}
