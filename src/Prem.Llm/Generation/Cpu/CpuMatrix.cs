namespace Prem.Llm.Generation.Cpu;

/// <summary>A weight matrix [rows, cols] in the format the CPU engine reads it in (float32, bf16 or int8).</summary>
internal abstract unsafe class CpuMatrix
{
    /// <summary>Output features.</summary>
    public required int Rows { get; init; }

    /// <summary>Input features.</summary>
    public required int Cols { get; init; }

    /// <summary>Bytes read for one pass over the matrix (weights and scales).</summary>
    public abstract long Bytes { get; }

    /// <summary>
    /// y[t · yStride + r] = row r · x[t · xStride …] for rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>)
    /// and <paramref name="tokens"/> input rows. <paramref name="quantized"/>: the same rows already quantised for
    /// int8 weights (<see cref="Int8Matrix"/> uses it, and quantises the rows itself without it; the others ignore it).
    /// </summary>
    public abstract void Multiply(float* x, int xStride, int tokens, float* y, int yStride, int rowStart, int rowEnd, Q8Activations? quantized = null);

    /// <summary>Whether <see cref="Multiply"/> reads int8-quantised activations (then quantise each input once per dispatch).</summary>
    public virtual bool ReadsQuantizedInput => false;

    /// <summary>Row <paramref name="row"/> as float32 (embedding lookup).</summary>
    public abstract void ReadRow(int row, Span<float> destination);
}
