using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Prem.Llm.Native;
using Prem.Llm.Numerics;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// Input rows rounded to bf16 (ties to even) for <see cref="Bf16Matrix"/>, whose kernels multiply bf16
/// weights by bf16 activations with float32 sums, as LibTorch's bf16 products do. The native kernels
/// (<see cref="NativeCpuKernels"/>) read the bf16 bits; the managed ones the same values widened back to
/// float32, written only when the native kernels are off (<see cref="HasWidened"/>). Rows are contiguous,
/// <see cref="PreparedInput.Cols"/> apart. Buffers grow once and are reused: no allocation per token.
/// </summary>
internal sealed unsafe class Bf16Activations : PreparedInput
{
    ushort[] _bits = [];
    float[] _widened = [];

    /// <summary>Whether the last <see cref="Round"/> also wrote <see cref="Widened"/> (the managed kernels read it).</summary>
    public bool HasWidened { get; private set; }

    /// <summary>Makes room for <paramref name="tokens"/> rows of <paramref name="cols"/> columns (allocates only to grow).</summary>
    public void Reserve(int tokens, int cols)
    {
        int length = tokens * cols;
        if (_bits.Length < length) _bits = GC.AllocateArray<ushort>(length, pinned: true);
        if (!NativeCpuKernels.Bf16.Use && _widened.Length < length) _widened = GC.AllocateArray<float>(length, pinned: true);
    }

    /// <summary>Rounds <paramref name="tokens"/> rows of <paramref name="cols"/> floats, <paramref name="xStride"/> apart.</summary>
    public void Round(float* x, int xStride, int tokens, int cols)
    {
        Reserve(tokens, cols);
        (Cols, Tokens) = (cols, tokens);
        for (int t = 0; t < tokens; t++)
            BFloat16Bits.FromSingle(new ReadOnlySpan<float>(x + (long)t * xStride, cols), _bits.AsSpan(t * cols, cols));
        HasWidened = !NativeCpuKernels.Bf16.Use;
        if (HasWidened) BFloat16Bits.ToSingle(_bits.AsSpan(0, tokens * cols), _widened);
    }

    /// <summary>Row 0's bf16 bits.</summary>
    public ushort* Bits => (ushort*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_bits));

    /// <summary>Row 0 of the rounded values as float32 (valid when <see cref="HasWidened"/>).</summary>
    public float* Widened => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_widened));
}
