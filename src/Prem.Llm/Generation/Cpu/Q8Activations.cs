using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Prem.Llm.Native;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// Input rows quantised for the int8 kernels, as llama.cpp quantises activations for its Q8_0 × Q8_0
/// dot: each token's row is cut into blocks of <see cref="Int8Matrix.BlockSize"/>, each block keeps
/// d = max|x| / 127 (float32) and round(x / d) in [−127, 127], stored widened to int16 so the kernels
/// multiply-add pairs without widening the activations again for every weight row. A short last block
/// is padded with zeros, so a kernel may read whole blocks. Where the native kernel is available
/// (<see cref="NativeCpuKernels.Int8"/>) or the AVX2 one can run (<see cref="Int8PanelKernel"/>) each row is also kept in
/// signed bytes, with −128 · Σ x per block, which takes back out the 128 the panels' weights carry for VPDPBUSD
/// (the native and AVX-VNNI kernels; <see cref="Signed"/>, <see cref="Corrections"/>).
/// Buffers grow once and are reused: no allocation per token.
/// </summary>
internal sealed unsafe class Q8Activations : PreparedInput
{
    short[] _values = [];
    float[] _scales = [];
    sbyte[] _signed = [];
    int[] _corrections = [];

    /// <summary>Blocks per row (the last may be padded).</summary>
    public int Blocks { get; private set; }

    /// <summary>Makes room for <paramref name="tokens"/> rows of <paramref name="cols"/> columns (allocates only to grow).</summary>
    public void Reserve(int tokens, int cols)
    {
        int blocks = (cols + Int8Matrix.BlockSize - 1) / Int8Matrix.BlockSize;
        if (_scales.Length < tokens * blocks)
        {
            _values = GC.AllocateArray<short>(tokens * blocks * Int8Matrix.BlockSize, pinned: true);
            _scales = GC.AllocateArray<float>(tokens * blocks, pinned: true);
        }
        if (!NativeCpuKernels.Int8.Available && !Avx2.IsSupported) return;
        if (_signed.Length < tokens * blocks * Int8Matrix.BlockSize)
        {
            _signed = GC.AllocateArray<sbyte>(tokens * blocks * Int8Matrix.BlockSize, pinned: true);
            _corrections = GC.AllocateArray<int>(tokens * blocks, pinned: true);
        }
    }

    /// <summary>
    /// Whether the last <see cref="Quantize"/> also wrote <see cref="Signed"/> and <see cref="Corrections"/> (where the
    /// native kernel is available, whether or not it is enabled: a matrix quantised for it reads them; and where
    /// <see cref="Int8PanelKernel.UseAvx2"/>).
    /// </summary>
    public bool HasSignedBytes { get; private set; }

    /// <summary>Quantises <paramref name="tokens"/> rows of <paramref name="cols"/> floats, <paramref name="xStride"/> apart.</summary>
    public void Quantize(float* x, int xStride, int tokens, int cols)
    {
        Reserve(tokens, cols);
        int blocks = (cols + Int8Matrix.BlockSize - 1) / Int8Matrix.BlockSize;
        (Cols, Blocks, Tokens) = (cols, blocks, tokens);
        Span<sbyte> block = stackalloc sbyte[Int8Matrix.BlockSize];
        for (int t = 0; t < tokens; t++)
        {
            short* values = Values(t);
            float* scales = Scales(t);
            for (int b = 0; b < blocks; b++)
            {
                int start = b * Int8Matrix.BlockSize, length = Math.Min(Int8Matrix.BlockSize, cols - start);
                if (length == Int8Matrix.BlockSize)
                {
                    scales[b] = QuantizeWholeBlock(x + (long)t * xStride + start, values + start);
                    continue;
                }
                scales[b] = Int8Matrix.QuantizeBlock(new ReadOnlySpan<float>(x + (long)t * xStride + start, length), block);
                for (int i = 0; i < Int8Matrix.BlockSize; i++) values[start + i] = i < length ? block[i] : (short)0;
            }
        }
        HasSignedBytes = NativeCpuKernels.Int8.Available || Int8PanelKernel.UseAvx2;
        if (HasSignedBytes) WriteSignedBytes();
    }

    // The values as bytes (padding zeros too), and each block's −128 · Σ x.
    void WriteSignedBytes()
    {
        int count = Tokens * Blocks * Int8Matrix.BlockSize, i = 0;
        fixed (short* values = _values)
        fixed (sbyte* signed = _signed)
        {
            for (; i + 32 <= count; i += 32)
                Vector256.Narrow(Vector256.Load(values + i), Vector256.Load(values + i + 16)).Store(signed + i);
            for (int b = 0; b < Tokens * Blocks; b++)
            {
                var sum = Vector256.WidenLower(Vector256.Load(values + b * 32)) + Vector256.WidenUpper(Vector256.Load(values + b * 32))
                        + Vector256.WidenLower(Vector256.Load(values + b * 32 + 16)) + Vector256.WidenUpper(Vector256.Load(values + b * 32 + 16));
                _corrections[b] = -128 * Vector256.Sum(sum);
            }
        }
    }

    // Int8Matrix.QuantizeBlock for a whole block, in Vector256 (the same operations, so the same values):
    // one pass per token and matrix input runs on one thread while the others wait, so it must be cheap.
    static float QuantizeWholeBlock(float* x, short* values)
    {
        var v0 = Vector256.Load(x);
        var v1 = Vector256.Load(x + 8);
        var v2 = Vector256.Load(x + 16);
        var v3 = Vector256.Load(x + 24);
        var max8 = Vector256.Max(Vector256.Max(Vector256.Abs(v0), Vector256.Abs(v1)), Vector256.Max(Vector256.Abs(v2), Vector256.Abs(v3)));
        var max4 = Vector128.Max(max8.GetLower(), max8.GetUpper());
        float amax = Math.Max(Math.Max(max4.GetElement(0), max4.GetElement(1)), Math.Max(max4.GetElement(2), max4.GetElement(3)));
        float d = amax / 127f;
        float inverse = d == 0 ? 0 : 1f / d;
        Vector256.Narrow(Round(v0, inverse), Round(v1, inverse)).Store(values);
        Vector256.Narrow(Round(v2, inverse), Round(v3, inverse)).Store(values + 16);
        return d;
    }

    // round(v · inverse) half away from zero (as MathF.Round with AwayFromZero), clamped to ±127.
    static Vector256<int> Round(Vector256<float> v, float inverse)
    {
        var scaled = v * inverse;
        var whole = Vector256.Truncate(scaled);
        var half = Vector256.GreaterThanOrEqual(Vector256.Abs(scaled - whole), Vector256.Create(0.5f));
        var step = Vector256.CopySign(Vector256<float>.One, scaled) & half;
        var q = Vector256.ConvertToInt32(whole + step);
        return Vector256.Min(Vector256.Max(q, Vector256.Create(-127)), Vector256.Create(127));
    }

    /// <summary>Row <paramref name="token"/>'s quantised values, <see cref="Blocks"/> × 32 of them (rows are contiguous).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public short* Values(int token) =>
        (short*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_values)) + (long)token * Blocks * Int8Matrix.BlockSize;

    /// <summary>Row <paramref name="token"/>'s values as signed bytes, <see cref="Blocks"/> × 32 of them (rows are contiguous).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public sbyte* Signed(int token) =>
        (sbyte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_signed)) + (long)token * Blocks * Int8Matrix.BlockSize;

    /// <summary>Row <paramref name="token"/>'s −128 · Σ x of each block (rows are contiguous, <see cref="Blocks"/> apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int* Corrections(int token) => (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_corrections)) + (long)token * Blocks;

    /// <summary>Row <paramref name="token"/>'s block scales (rows are contiguous).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float* Scales(int token) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_scales)) + (long)token * Blocks;
}
