namespace Prem.Llm.Generation.Cpu;

/// <summary>A float32 matrix read in place from a contiguous CPU tensor's memory (no copy).</summary>
internal sealed unsafe class Fp32Matrix(float* data) : CpuMatrix
{
    /// <summary>The first element.</summary>
    public float* Data => data;

    /// <summary>The tensor the weights live in, for LibTorch's GEMM on prompt chunks (<see cref="PromptGemm"/>).</summary>
    public TorchSharp.torch.Tensor? Weight { get; init; }

    /// <inheritdoc />
    public override long Bytes => (long)Rows * Cols * sizeof(float);

    /// <inheritdoc />
    public override void Multiply(float* x, int xStride, int tokens, float* y, int yStride, int rowStart, int rowEnd, PreparedInput? prepared = null)
    {
        if (tokens >= MatMulKernel.FewTokens && !MatMulKernel.PrefetchesAhead) CacheWarmer.Touch(data + (long)rowStart * Cols, (long)(rowEnd - rowStart) * Cols * sizeof(float));
        MatMulKernel.Multiply(new Fp32Rows(data, Cols), Cols, x, xStride, tokens, y, yStride, rowStart, rowEnd);
    }

    /// <inheritdoc />
    public override void ReadRow(int row, Span<float> destination) =>
        new ReadOnlySpan<float>(data + (long)row * Cols, Cols).CopyTo(destination);
}
