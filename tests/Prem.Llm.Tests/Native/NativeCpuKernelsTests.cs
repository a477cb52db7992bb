using Prem.Llm.Generation.Cpu;
using Prem.Llm.Native;
using Prem.Llm.Numerics;
using Prem.Llm.Testing;
using Prem.Llm.Tests.Generation.Cpu;

namespace Prem.Llm.Tests.Native;

/// <summary>
/// The AVX512-BF16/VNNI kernels against sums in double precision of the same products, every token count
/// from 1 to 9 and column counts around the 32- and 64-element chunks; and the property batched decoding
/// relies on: a row's result has the same bits whatever tokens or rows share the call.
/// </summary>
public unsafe class NativeCpuKernelsTests : IClassFixture<ToolReport>
{
    public static TheoryData<int> Columns => new() { 1, 17, 31, 32, 33, 63, 64, 65, 96, 100, 770 };

    [SkippableTheory, MemberData(nameof(Columns))]
    public void Bf16_products_sum_as_double_and_do_not_depend_on_the_batch(int cols)
    {
        ToolRequirement.NativeCpuKernel(NativeCpuKernels.Bf16);
        const int rows = 13, tokens = 9;
        var random = new Random(cols);
        var w = Bf16(random, rows * cols);
        var x = Bf16(random, tokens * cols);
        var all = new float[tokens * rows];
        fixed (ushort* pw = w, px = x)
        fixed (float* py = all)
            NativeCpuKernels.Bf16MatMul(pw, cols, px, cols, tokens, py, rows, 0, rows);
        for (int t = 0; t < tokens; t++)
            for (int r = 0; r < rows; r++)
            {
                double sum = 0, magnitude = 0;
                for (int k = 0; k < cols; k++)
                {
                    double p = (double)BFloat16Bits.ToSingle(w[r * cols + k]) * BFloat16Bits.ToSingle(x[t * cols + k]);
                    sum += p;
                    magnitude += Math.Abs(p);
                }
                Assert.True(Math.Abs(all[t * rows + r] - sum) <= Bound(cols, magnitude), $"row {r}, token {t}: {all[t * rows + r]} vs {sum}");
            }
        // Any number of tokens from any first token, any row range: the same bits.
        for (int first = 0; first < tokens; first++)
            for (int count = 1; first + count <= tokens; count++)
            {
                var part = new float[count * rows];
                fixed (ushort* pw = w, px = x)
                fixed (float* py = part)
                {
                    NativeCpuKernels.Bf16MatMul(pw, cols, px + first * cols, cols, count, py, rows, 0, 5);
                    NativeCpuKernels.Bf16MatMul(pw, cols, px + first * cols, cols, count, py, rows, 5, rows);
                }
                for (int i = 0; i < part.Length; i++) Assert.Equal(all[first * rows + i], part[i]);
            }
    }

    [SkippableTheory, MemberData(nameof(Columns))]
    public void Int8_blocks_sum_exactly_and_do_not_depend_on_the_batch(int cols)
    {
        ToolRequirement.NativeCpuKernel(NativeCpuKernels.Int8);
        const int rows = 37, tokens = 11; // a partial last panel; more tokens than one group of eight
        int blocks = (cols + 31) / 32;
        var random = new Random(cols);
        var w = new sbyte[rows * cols];
        for (int i = 0; i < w.Length; i++) w[i] = (sbyte)random.Next(-127, 128);
        var ws = Enumerable.Range(0, rows * blocks).Select(_ => (float)random.NextDouble() * 0.02f).ToArray();
        var panels = Int8Panels.Allocate(rows, cols);
        for (int r = 0; r < rows; r++) panels.SetRow(r, w.AsSpan(r * cols, cols), ws.AsSpan(r * blocks, blocks));
        // Activations as Q8Activations keeps them for this kernel: signed bytes padded with zeros, scales, −128 · Σ x per block.
        var xq = new sbyte[tokens * blocks * 32];
        for (int t = 0; t < tokens; t++)
            for (int k = 0; k < cols; k++) xq[t * blocks * 32 + k] = (sbyte)random.Next(-127, 128);
        var xd = Enumerable.Range(0, tokens * blocks).Select(_ => (float)random.NextDouble() * 0.05f).ToArray();
        var xc = new int[tokens * blocks];
        for (int i = 0; i < xc.Length; i++)
            for (int k = 0; k < 32; k++) xc[i] -= 128 * xq[i * 32 + k];
        var all = Multiply(panels, cols, xq, xd, xc, 0, tokens, rows, 0, rows);
        for (int t = 0; t < tokens; t++)
            for (int r = 0; r < rows; r++)
            {
                var (sum, magnitude) = Q8Reference.Dot(cols, k => w[r * cols + k], k => xq[t * blocks * 32 + k],
                    b => (double)ws[r * blocks + b] * xd[t * blocks + b]);
                // Exact block sums, one float32 rounding per block for its scale product and one per accumulation.
                Assert.True(Math.Abs(all[t * rows + r] - sum) <= (2 * blocks + 2) * Math.Pow(2, -24) * magnitude + 1e-30,
                    $"row {r}, token {t}: {all[t * rows + r]} vs {sum}");
            }
        // Any number of tokens from any first token, the rows split at a panel boundary: the same bits.
        for (int first = 0; first < tokens; first++)
            for (int count = 1; first + count <= tokens; count++)
            {
                var low = Multiply(panels, cols, xq, xd, xc, first, count, rows, 0, 16);
                var high = Multiply(panels, cols, xq, xd, xc, first, count, rows, 16, rows);
                for (int t = 0; t < count; t++)
                    for (int r = 0; r < rows; r++)
                        Assert.Equal(all[(first + t) * rows + r], (r < 16 ? low : high)[t * rows + r]);
            }
    }

    [SkippableFact]
    public void Int8_rows_past_the_call_are_not_written()
    {
        ToolRequirement.NativeCpuKernel(NativeCpuKernels.Int8);
        const int rows = 20, cols = 64;
        var panels = Int8Panels.Allocate(rows, cols);
        var ones = Enumerable.Repeat((sbyte)1, cols).ToArray();
        for (int r = 0; r < rows; r++) panels.SetRow(r, ones, [1f, 1f]);
        var xq = Enumerable.Repeat((sbyte)2, cols).ToArray();
        var y = Multiply(panels, cols, xq, [0.5f, 0.5f], [-128 * 64, -128 * 64], 0, 1, rows, 16, 19, fill: float.NaN);
        for (int r = 0; r < rows; r++) Assert.Equal(r is >= 16 and < 19 ? 64f : float.NaN, y[r]); // 2 blocks × 32 × 2 × 0.5
    }

    // Float32 rounding of a sum taken lane by lane: about cols / 16 additions per lane, then the 16 lanes.
    static double Bound(int cols, double magnitude) => (cols / 16 + 8) * Math.Pow(2, -24) * magnitude + 1e-30;

    static float[] Multiply(Int8Panels w, int cols, sbyte[] xq, float[] xd, int[] xc, int first, int count, int rows, int r0, int r1, float fill = 0)
    {
        int blocks = (cols + 31) / 32;
        var y = Enumerable.Repeat(fill, count * rows).ToArray();
        fixed (sbyte* px = xq)
        fixed (float* pxd = xd, py = y)
        fixed (int* pxc = xc)
            NativeCpuKernels.Q8MatMul(w.Start, cols, px + first * blocks * 32, blocks * 32, pxd + first * blocks, pxc + first * blocks, blocks,
                count, py, rows, r0, r1);
        return y;
    }

    // Random bf16 values of mixed signs and magnitudes (normal numbers only).
    static ushort[] Bf16(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => BFloat16Bits.FromSingle((float)((random.NextDouble() * 2 - 1) * Math.Pow(2, random.Next(-6, 4))))).ToArray();
}
