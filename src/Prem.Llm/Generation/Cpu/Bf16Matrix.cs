using Prem.Llm.Numerics;

namespace Prem.Llm.Generation.Cpu;

/// <summary>A bfloat16 matrix read in place from a contiguous CPU tensor's memory, widened to float32 in the dot products.</summary>
internal sealed unsafe class Bf16Matrix(ushort* data) : CpuMatrix
{
    /// <summary>The first element's bits.</summary>
    public ushort* Data => data;

    /// <summary>The tensor the bits live in, for LibTorch's bf16 GEMM on prompt chunks (<see cref="Bf16Gemm"/>).</summary>
    public TorchSharp.torch.Tensor? Weight { get; init; }

    /// <inheritdoc />
    public override long Bytes => (long)Rows * Cols * sizeof(ushort);

    /// <inheritdoc />
    public override void Multiply(float* x, int xStride, int tokens, float* y, int yStride, int rowStart, int rowEnd, Q8Activations? quantized = null)
    {
        if (tokens >= MatMulKernel.FewTokens) CacheWarmer.Touch(data + (long)rowStart * Cols, (long)(rowEnd - rowStart) * Cols * sizeof(ushort));
        MatMulKernel.Multiply(new Bf16Rows(data, Cols), Cols, x, xStride, tokens, y, yStride, rowStart, rowEnd);
    }

    /// <inheritdoc />
    public override void ReadRow(int row, Span<float> destination) =>
        BFloat16Bits.ToSingle(new ReadOnlySpan<ushort>(data + (long)row * Cols, Cols), destination);
}
