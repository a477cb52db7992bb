using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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

    // The pinned bits of a copy (Copy), kept alive with the matrix; null for a view of a tensor.
    ushort[]? _owned;

    /// <summary>Whether the matrix holds its own bits (<see cref="Copy"/>) rather than a view of a tensor's memory.</summary>
    public bool IsCopy => _owned is not null;

    /// <summary>
    /// A row-major copy of <paramref name="rows"/> × <paramref name="cols"/> weights rounded to bf16 (ties to even);
    /// <paramref name="readRow"/> writes row r as float32. For <see cref="CpuWeightFormat.Bf16"/> without the native kernel.
    /// </summary>
    public static Bf16Matrix Copy(int rows, int cols, Action<int, Span<float>> readRow)
    {
        var bits = GC.AllocateArray<ushort>(checked(rows * cols), pinned: true);
        Parallel.For(0, rows, () => new float[cols], (r, _, row) =>
        {
            readRow(r, row);
            BFloat16Bits.FromSingle(row, bits.AsSpan(r * cols, cols));
            return row;
        }, _ => { });
        var data = (ushort*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(bits));
        return new Bf16Matrix(data) { Rows = rows, Cols = cols, _owned = bits };
    }

    /// <summary>The first element's bits.</summary>
    public ushort* Data => data;

    /// <summary>The tensor the bits live in, for LibTorch's bf16 GEMM on prompt chunks (<see cref="PromptGemm"/>).</summary>
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
        if (tokens >= MatMulKernel.FewTokens && !MatMulKernel.PrefetchesAhead) CacheWarmer.Touch(data + (long)rowStart * Cols, (long)(rowEnd - rowStart) * Cols * sizeof(ushort));
        MatMulKernel.Multiply(new Bf16Rows(data, Cols), Cols, input.Widened, Cols, tokens, y, yStride, rowStart, rowEnd);
    }

    /// <inheritdoc />
    public override void ReadRow(int row, Span<float> destination) =>
        BFloat16Bits.ToSingle(new ReadOnlySpan<ushort>(data + (long)row * Cols, Cols), destination);
}
