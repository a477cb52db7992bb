namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// A dispatch's input rows in the form a matrix's kernels read them: rounded to bf16 for
/// <see cref="Bf16Matrix"/> (<see cref="Bf16Activations"/>), quantised to int8 for <see cref="Int8Matrix"/>
/// (<see cref="Q8Activations"/>). <see cref="CpuLlama"/> prepares them once per dispatch; every row chunk
/// of it, and every matrix sharing the input (q, k and v; gate and up), reads the same rows.
/// </summary>
internal abstract unsafe class PreparedInput
{
    /// <summary>
    /// <paramref name="tokens"/> contiguous rows of <paramref name="cols"/> floats in the form
    /// <paramref name="matrix"/> reads them, written into <paramref name="q8"/> (int8 matrices) or
    /// <paramref name="bf16"/> (bf16 matrices); null for float32 matrices, which read x as it is.
    /// </summary>
    public static PreparedInput? For(CpuMatrix matrix, float* x, int cols, int tokens, Q8Activations q8, Bf16Activations bf16)
    {
        switch (matrix)
        {
            case Int8Matrix:
                q8.Quantize(x, cols, tokens, cols);
                return q8;
            case Bf16Matrix or Bf16PanelMatrix:
                bf16.Round(x, cols, tokens, cols);
                return bf16;
            default:
                return null;
        }
    }

    /// <summary>Columns of each row.</summary>
    public int Cols { get; protected set; }

    /// <summary>Rows (tokens) held.</summary>
    public int Tokens { get; protected set; }
}
