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
    [ThreadStatic] static Bf16Activations? _scratch;

    /// <summary>The first element's bits.</summary>
    public ushort* Data => data;

    /// <summary>The tensor the bits live in, for LibTorch's bf16 GEMM on prompt chunks (<see cref="Bf16Gemm"/>).</summary>
    public TorchSharp.torch.Tensor? Weight { get; init; }

    /// <inheritdoc />
    public override long Bytes => (long)Rows * Cols * sizeof(ushort);

    /// <inheritdoc />
    public override void Multiply(float* x, int xStride, int tokens, float* y, int yStride, int rowStart, int rowEnd, PreparedInput? prepared = null)
    {
        if (prepared is not Bf16Activations input)
        {
            input = _scratch ??= new Bf16Activations();
            input.Round(x, xStride, tokens, Cols);
        }
        if (!input.HasWidened)
        {
            // The native kernel prefetches ahead itself (no warming pass).
            NativeCpuKernels.Bf16MatMul(data, Cols, input.Bits, Cols, tokens, y, yStride, rowStart, rowEnd);
            return;
        }
        if (tokens >= MatMulKernel.FewTokens) CacheWarmer.Touch(data + (long)rowStart * Cols, (long)(rowEnd - rowStart) * Cols * sizeof(ushort));
        MatMulKernel.Multiply(new Bf16Rows(data, Cols), Cols, input.Widened, Cols, tokens, y, yStride, rowStart, rowEnd);
    }

    /// <inheritdoc />
    public override void ReadRow(int row, Span<float> destination) =>
        BFloat16Bits.ToSingle(new ReadOnlySpan<ushort>(data + (long)row * Cols, Cols), destination);
}
