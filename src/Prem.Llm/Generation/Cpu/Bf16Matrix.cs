using Prem.Llm.Native;
using Prem.Llm.Numerics;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// A bfloat16 matrix read in place from a contiguous CPU tensor's memory. Its products take the
/// activations rounded to bf16 (ties to even), as every bf16 matrix product of the library does
/// (TorchSharp's bf16 forward, LibTorch's GEMM for prompt chunks), and sum in float32: in AVX512-BF16
/// where the CPU has it (<see cref="NativeCpuKernels"/>), otherwise widened to float32 in the managed kernel.
/// </summary>
internal sealed unsafe class Bf16Matrix(ushort* data) : CpuMatrix
{
    [ThreadStatic] static ushort[]? _rounded;
    [ThreadStatic] static float[]? _widened;

    /// <summary>The first element's bits.</summary>
    public ushort* Data => data;

    /// <summary>The tensor the bits live in, for LibTorch's bf16 GEMM on prompt chunks (<see cref="Bf16Gemm"/>).</summary>
    public TorchSharp.torch.Tensor? Weight { get; init; }

    /// <inheritdoc />
    public override long Bytes => (long)Rows * Cols * sizeof(ushort);

    /// <inheritdoc />
    public override void Multiply(float* x, int xStride, int tokens, float* y, int yStride, int rowStart, int rowEnd, Q8Activations? quantized = null)
    {
        int cols = Cols, length = tokens * cols;
        // Each call rounds its own copy of the input (a few thousand values next to a chunk's hundreds of
        // thousands of multiply-adds), so the workers share nothing but the weights.
        if (_rounded is null || _rounded.Length < length) _rounded = GC.AllocateArray<ushort>(length, pinned: true);
        for (int t = 0; t < tokens; t++)
            BFloat16Bits.FromSingle(new ReadOnlySpan<float>(x + (long)t * xStride, cols), _rounded.AsSpan(t * cols, cols));
        fixed (ushort* rounded = _rounded)
        {
            if (NativeCpuKernels.Use)
            {
                // The native kernel prefetches ahead itself (no warming pass).
                NativeCpuKernels.Bf16MatMul(data, cols, rounded, cols, tokens, y, yStride, rowStart, rowEnd);
                return;
            }
            if (tokens >= MatMulKernel.FewTokens) CacheWarmer.Touch(data + (long)rowStart * cols, (long)(rowEnd - rowStart) * cols * sizeof(ushort));
            if (_widened is null || _widened.Length < length) _widened = GC.AllocateArray<float>(length, pinned: true);
            BFloat16Bits.ToSingle(_rounded.AsSpan(0, length), _widened);
            fixed (float* widened = _widened)
                MatMulKernel.Multiply(new Bf16Rows(data, cols), cols, widened, cols, tokens, y, yStride, rowStart, rowEnd);
        }
    }

    /// <inheritdoc />
    public override void ReadRow(int row, Span<float> destination) =>
        BFloat16Bits.ToSingle(new ReadOnlySpan<ushort>(data + (long)row * Cols, Cols), destination);
}
