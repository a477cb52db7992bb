using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// Int8 weights in <see cref="Int8Panels"/> × int8 activations (<see cref="Q8Activations"/>) where the native VNNI
/// kernel does not run: the same arithmetic as <c>prem_q8_matmul</c>, so the same bits. Each (row, token) sums a
/// block of 32 exactly in integers, then acc += sum · (d_w · d_x) in float32 (one fused multiply-add per block,
/// blocks in order).
/// </summary>
/// <remarks>
/// <para>AVX2 (llama.cpp's AVX2 Q8_0 dot, turned so rows lie across the lanes): each 64-byte vector of a block holds
/// four columns of the panel's 16 rows, read as two 256-bit halves; w = stored − 128 (XOR 0x80). For each token its
/// four bytes are broadcast to every lane, VPSIGNB gives them w's sign, VPMADDUBSW multiplies by |w| and adds pairs
/// into int16 (|sum| ≤ 2 · 127², no saturation), VPMADDWD with ones adds the pairs into the row's int32 lane. One
/// weight vector serves four tokens, no sum crosses lanes, and a panel's 16 outputs come out together: about half the
/// instructions per product of a row-major AVX2 dot (one row, four tokens, a conversion and an FMA per block and token,
/// a horizontal sum per output), which this replaced (benchmarks/README.md, tenth pass). Where the CPU has AVX-VNNI,
/// <see cref="Int8PanelVnni"/> does each token's four operations in one VPDPBUSD (<see cref="UseAvxVnni"/>).</para>
/// <para>Without AVX2 (or with the vector kernels switched off) a scalar loop does the same sums in the same order.</para>
/// </remarks>
internal static unsafe class Int8PanelKernel
{
    const int Rows = CpuMatrix.PanelRows;
    const int TokensPerPass = 32; // float accumulators on the stack: 32 tokens × 16 rows

    /// <summary>
    /// y[t · <paramref name="yStride"/> + r] for rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) and every
    /// token of <paramref name="x"/>; <paramref name="rowStart"/> starts a panel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(Int8Panels panels, Q8Activations x, float* y, int yStride, int rowStart, int rowEnd)
    {
        CpuMatrix.RequirePanelStart(rowStart);
        int blocks = panels.Blocks, tokens = x.Tokens;
        if (x.Blocks != blocks) throw new ArgumentException($"The activations have {x.Blocks} blocks per row; the matrix has {blocks}.", nameof(x));
        bool avx2 = UseAvx2 && x.HasSignedBytes;
        float* acc = stackalloc float[TokensPerPass * Rows];
        for (int r = rowStart; r < rowEnd; r += Rows)
        {
            byte* panel = panels.Start + (long)(r / Rows) * blocks * Int8Panels.BlockBytes;
            int valid = Math.Min(Rows, rowEnd - r);
            for (int t0 = 0; t0 < tokens; t0 += TokensPerPass)
            {
                int n = Math.Min(TokensPerPass, tokens - t0);
                for (int i = 0; i < n * Rows; i += 8) Vector256<float>.Zero.Store(acc + i);
                if (avx2) PanelAvx2(panel, blocks, x, t0, n, acc);
                else PanelPortable(panel, blocks, x, t0, n, acc);
                for (int t = 0; t < n; t++)
                {
                    float* yt = y + (long)(t0 + t) * yStride + r;
                    if (valid == Rows)
                    {
                        Vector256.Load(acc + t * Rows).Store(yt);
                        Vector256.Load(acc + t * Rows + 8).Store(yt + 8);
                    }
                    else
                        for (int i = 0; i < valid; i++) yt[i] = acc[t * Rows + i];
                }
            }
        }
    }

    /// <summary>Whether <see cref="Multiply"/> runs the AVX2 path (the CPU has it and the vector kernels are on).</summary>
    public static bool UseAvx2 => Avx2.IsSupported && (MatMulKernel.UseVector256 || MatMulKernel.UseVector512);

    /// <summary>
    /// Within the AVX2 path, use <see cref="Int8PanelVnni"/>'s blocks (on by default where the CPU has AVX-VNNI). Tests
    /// turn it off to check the AVX2 blocks there, and on elsewhere to check its arithmetic (emulated, slowly).
    /// </summary>
    public static bool UseAvxVnni { get; set; } = AvxVnni.IsSupported;

    // Tokens [t0, t0 + n) over one panel, block by block (a block's 576 bytes stay in L1 for every token group).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void PanelAvx2(byte* panel, int blocks, Q8Activations x, int t0, int n, float* acc)
    {
        long xs = (long)blocks * Int8Matrix.BlockSize;
        sbyte* x0 = x.Signed(t0);
        float* d0 = x.Scales(t0);
        if (UseAvxVnni)
        {
            PanelVnni(panel, blocks, x0, xs, d0, x.Corrections(t0), n, acc);
            return;
        }
        for (int b = 0; b < blocks; b++)
        {
            byte* q = panel + (long)b * Int8Panels.BlockBytes;
            int t = 0;
            for (; t + 4 <= n; t += 4)
                Block4(q, x0 + t * xs + b * 32, xs, d0 + t * blocks + b, blocks, acc + t * Rows);
            for (; t < n; t++)
                Block1(q, x0 + t * xs + b * 32, d0[t * blocks + b], acc + t * Rows);
        }
    }

    // As PanelAvx2, with Int8PanelVnni's blocks and the activations' corrections (c).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void PanelVnni(byte* panel, int blocks, sbyte* x0, long xs, float* d0, int* c0, int n, float* acc)
    {
        for (int b = 0; b < blocks; b++)
        {
            byte* q = panel + (long)b * Int8Panels.BlockBytes;
            int t = 0;
            for (; t + 4 <= n; t += 4)
                Int8PanelVnni.Block4(q, x0 + t * xs + b * 32, xs, d0 + t * blocks + b, c0 + t * blocks + b, blocks, acc + t * Rows);
            for (; t < n; t++)
                Int8PanelVnni.Block1(q, x0 + t * xs + b * 32, d0[t * blocks + b], c0[t * blocks + b], acc + t * Rows);
        }
    }

    // One block for four tokens (their bytes xs apart, their scales ds apart).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Block4(byte* q, sbyte* x, long xs, float* d, int ds, float* acc)
    {
        var ones = Vector256.Create((short)1);
        Vector256<int> lo0 = default, hi0 = default, lo1 = default, hi1 = default;
        Vector256<int> lo2 = default, hi2 = default, lo3 = default, hi3 = default;
        sbyte* x1 = x + xs, x2 = x1 + xs, x3 = x2 + xs;
        for (int g = 0; g < 8; g++)
        {
            var w0 = Weights(q + 64 + g * 64);
            var w1 = Weights(q + 96 + g * 64);
            var m0 = Avx2.Abs(w0);
            var m1 = Avx2.Abs(w1);
            Sum(m0, w0, m1, w1, x + 4 * g, ones, ref lo0, ref hi0);
            Sum(m0, w0, m1, w1, x1 + 4 * g, ones, ref lo1, ref hi1);
            Sum(m0, w0, m1, w1, x2 + 4 * g, ones, ref lo2, ref hi2);
            Sum(m0, w0, m1, w1, x3 + 4 * g, ones, ref lo3, ref hi3);
        }
        Scale(q, d[0], lo0, hi0, acc);
        Scale(q, d[ds], lo1, hi1, acc + Rows);
        Scale(q, d[2 * ds], lo2, hi2, acc + 2 * Rows);
        Scale(q, d[3 * ds], lo3, hi3, acc + 3 * Rows);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Block1(byte* q, sbyte* x, float d, float* acc)
    {
        var ones = Vector256.Create((short)1);
        Vector256<int> lo = default, hi = default;
        for (int g = 0; g < 8; g++)
        {
            var w0 = Weights(q + 64 + g * 64);
            var w1 = Weights(q + 96 + g * 64);
            Sum(Avx2.Abs(w0), w0, Avx2.Abs(w1), w1, x + 4 * g, ones, ref lo, ref hi);
        }
        Scale(q, d, lo, hi, acc);
    }

    // Eight rows' four bytes, stored as w + 128, back to w.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<sbyte> Weights(byte* v) => (Vector256.Load(v) ^ Vector256.Create((byte)0x80)).AsSByte();

    // Adds one token's four products per row into the rows' int32 lanes (rows 0–7 in lo, 8–15 in hi).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Sum(Vector256<byte> m0, Vector256<sbyte> w0, Vector256<byte> m1, Vector256<sbyte> w1, sbyte* four,
        Vector256<short> ones, ref Vector256<int> lo, ref Vector256<int> hi)
    {
        var xb = Vector256.Create(*(int*)four).AsSByte();
        lo += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(m0, Avx2.Sign(xb, w0)), ones);
        hi += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(m1, Avx2.Sign(xb, w1)), ones);
    }

    /// <summary>acc += sum · (d_w · d_x) for rows 0–7 (<paramref name="lo"/>) and 8–15 (<paramref name="hi"/>), the block's 16 row scales at its start.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Scale(byte* q, float dx, Vector256<int> lo, Vector256<int> hi, float* acc)
    {
        var d = Vector256.Create(dx);
        Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(lo), Vector256.Load((float*)q) * d, Vector256.Load(acc)).Store(acc);
        Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(hi), Vector256.Load((float*)q + 8) * d, Vector256.Load(acc + 8)).Store(acc + 8);
    }

    // The same sums, one row and token at a time, from the int16 activations.
    static void PanelPortable(byte* panel, int blocks, Q8Activations x, int t0, int n, float* acc)
    {
        for (int b = 0; b < blocks; b++)
        {
            byte* q = panel + (long)b * Int8Panels.BlockBytes;
            for (int t = 0; t < n; t++)
            {
                short* xb = x.Values(t0 + t) + b * 32;
                float dx = x.Scales(t0 + t)[b];
                for (int i = 0; i < Rows; i++)
                {
                    int sum = 0;
                    for (int k = 0; k < Int8Matrix.BlockSize; k++)
                        sum += Int8Panels.Quant(q, i, k) * xb[k];
                    acc[t * Rows + i] = MathF.FusedMultiplyAdd(sum, ((float*)q)[i] * dx, acc[t * Rows + i]);
                }
            }
        }
    }
}
