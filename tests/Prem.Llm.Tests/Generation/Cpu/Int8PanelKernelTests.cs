using Prem.Llm.Generation.Cpu;
using Prem.Llm.Native;
using Prem.Llm.Tests.Native;

namespace Prem.Llm.Tests.Generation.Cpu;

[Collection(nameof(CpuKernelCollection))]
public unsafe class Int8PanelKernelTests : IClassFixture<ToolReport>
{
    // Columns: a short block alone, one block, a short last block, 24 blocks (the 110M shape's 768).
    public static TheoryData<int, int> Cases => new() { { 256, 17 }, { 256, 32 }, { 256, 77 }, { 256, 768 }, { 0, 17 }, { 0, 77 } };

    // Weights and activations span the full ±127 (the VPMADDUBSW pair sums reach 2 · 127², under int16's limit) and
    // include zeros (VPSIGNB zeroes the activation there); scales are powers of two, so the reference in double is
    // exactly what one float32 FMA per block may round, and the bound is the float32 rounding of the running sum.
    [SkippableTheory, MemberData(nameof(Cases))]
    public void Blocks_sum_exactly_and_a_token_gets_the_same_bits_in_any_batch(int bits, int cols)
    {
        const int rows = 37, tokens = 38; // a partial last panel; groups of four, a remainder, and two passes of 32 tokens
        var (panels, w, ws) = RandomPanels(rows, cols, seed: cols);
        var (x, xq, xd) = Activations(tokens, cols, seed: cols + 1);
        var all = Multiply(panels, cols, x, bits, 0, rows);
        int blocks = panels.Blocks;
        for (int t = 0; t < tokens; t++)
            for (int r = 0; r < rows; r++)
            {
                var (sum, magnitude) = Q8Reference.Dot(cols, k => w[r * cols + k], k => xq[t * cols + k],
                    b => (double)ws[r * blocks + b] * xd[t * blocks + b]);
                Assert.True(Math.Abs(all[t * rows + r] - sum) <= blocks * Math.Pow(2, -24) * magnitude + 1e-30,
                    $"row {r}, token {t}: {all[t * rows + r]} vs {sum}");
            }
        // Each token alone, and the rows split at a panel boundary: the same bits.
        for (int t = 0; t < tokens; t++)
        {
            var alone = Multiply(panels, cols, x.AsSpan(t * cols, cols).ToArray(), bits, 0, 16);
            var rest = Multiply(panels, cols, x.AsSpan(t * cols, cols).ToArray(), bits, 16, rows);
            for (int r = 0; r < rows; r++) Assert.Equal(all[t * rows + r], (r < 16 ? alone : rest)[r]);
        }
    }

    [SkippableFact]
    public void The_AVX2_and_portable_paths_give_the_native_kernels_bits()
    {
        const int rows = 21, cols = 100, tokens = 9;
        var (panels, _, _) = RandomPanels(rows, cols, seed: 5);
        var (x, _, _) = Activations(tokens, cols, seed: 6);
        var portable = Multiply(panels, cols, x, bits: 0, 0, rows);
        if (KernelWidth.Supports(256)) Assert.Equal(portable, Multiply(panels, cols, x, bits: 256, 0, rows));
        ToolRequirement.NativeCpuKernel(NativeCpuKernels.Int8);
        var q = new Q8Activations();
        var y = new float[tokens * rows];
        fixed (float* px = x, py = y)
        {
            q.Quantize(px, cols, tokens, cols);
            NativeCpuKernels.Q8MatMul(panels.Start, cols, q.Signed(0), (long)q.Blocks * 32, q.Scales(0), q.Corrections(0), q.Blocks,
                tokens, py, rows, 0, rows);
        }
        Assert.Equal(portable, y);
    }

    // The AVX-VNNI blocks (VPDPBUSD on the stored w + 128, then the activations' −128 · Σ x) against the AVX2 blocks, which
    // the theory above checks against the reference: the same bits for every token group, remainder and pass of 32. Where
    // the CPU lacks AVX-VNNI the blocks run with Int8PanelVnni.Dot's emulation (the instruction itself: Int8PanelVnniTests).
    [SkippableTheory, MemberData(nameof(Columns))]
    public void The_AVX_VNNI_blocks_give_the_AVX2_blocks_bits(int cols)
    {
        const int rows = 37, tokens = 38;
        var (panels, _, _) = RandomPanels(rows, cols, seed: cols + 2);
        var (x, _, _) = Activations(tokens, cols, seed: cols + 3);
        var avx2 = Multiply(panels, cols, x, 256, 0, rows, vnni: false);
        Assert.Equal(avx2, Multiply(panels, cols, x, 256, 0, rows, vnni: true));
        Assert.Equal(avx2, Multiply(panels, cols, x, 0, 0, rows));
        // A token alone (the one-token blocks) and a range from the second panel.
        var alone = Multiply(panels, cols, x.AsSpan(5 * cols, cols).ToArray(), 256, 16, rows, vnni: true);
        Assert.Equal(avx2.AsSpan(5 * rows + 16, rows - 16).ToArray(), alone.AsSpan(16, rows - 16).ToArray());
    }

    public static TheoryData<int> Columns => new() { 17, 32, 77, 768 };

    [SkippableTheory]
    [InlineData(256)]
    [InlineData(0)]
    public void Rows_past_the_call_are_not_written_and_a_range_starts_at_a_panel(int bits)
    {
        const int rows = 20, cols = 64;
        var panels = Int8Panels.Allocate(rows, cols);
        var ones = Enumerable.Repeat((sbyte)1, cols).ToArray();
        for (int r = 0; r < rows; r++) panels.SetRow(r, ones, [1f, 1f]);
        var x = Enumerable.Repeat(2f, 2 * cols).ToArray(); // d = 2 / 127, q = 127
        var y = Multiply(panels, cols, x, bits, 16, 19, fill: float.NaN);
        float expected = 2 * 32 * 127 * (2f / 127);
        for (int t = 0; t < 2; t++)
            for (int r = 0; r < rows; r++)
            {
                float value = y[t * rows + r];
                if (r is >= 16 and < 19) Assert.Equal(expected, value, expected * 1e-6f);
                else Assert.True(float.IsNaN(value), $"row {r} of token {t} was written");
            }
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Multiply(panels, cols, x, bits, 8, 20));
        Assert.Contains("every 16 rows", error.Message);
    }

    // Quants in [−127, 127] with ±127 and 0 throughout; block scales powers of two.
    static (Int8Panels Panels, sbyte[] Quants, float[] Scales) RandomPanels(int rows, int cols, int seed)
    {
        int blocks = (cols + 31) / 32;
        var random = new Random(seed);
        var w = Enumerable.Range(0, rows * cols).Select(i => (sbyte)(i % 11 == 0 ? (i % 2 == 0 ? 127 : -127) : i % 13 == 0 ? 0 : random.Next(-127, 128))).ToArray();
        var ws = Enumerable.Range(0, rows * blocks).Select(i => MathF.Pow(2, i % 7 - 9)).ToArray();
        var panels = Int8Panels.Allocate(rows, cols);
        for (int r = 0; r < rows; r++) panels.SetRow(r, w.AsSpan(r * cols, cols), ws.AsSpan(r * blocks, blocks));
        return (panels, w, ws);
    }

    // Activations whose quantisation is exact: each block's largest magnitude is 127 · 2^e, the rest multiples of 2^e,
    // so Q8Activations keeps d = 2^e and q = x / d (the values the reference multiplies).
    static (float[] X, int[] Quants, float[] Scales) Activations(int tokens, int cols, int seed)
    {
        int blocks = (cols + 31) / 32;
        var random = new Random(seed);
        var x = new float[tokens * cols];
        var q = new int[tokens * cols];
        var d = new float[tokens * blocks];
        for (int t = 0; t < tokens; t++)
            for (int b = 0; b < blocks; b++)
            {
                float scale = d[t * blocks + b] = MathF.Pow(2, (t + b) % 5 - 6);
                for (int k = b * 32; k < Math.Min(cols, b * 32 + 32); k++)
                {
                    int v = k == b * 32 ? ((t + b) % 2 == 0 ? 127 : -127) : k % 9 == 0 ? 0 : random.Next(-127, 128);
                    q[t * cols + k] = v;
                    x[t * cols + k] = v * scale;
                }
            }
        return (x, q, d);
    }

    // The kernel at one width (256: AVX2, 0: portable) for rows [r0, r1) of every token of x.
    // With vnni set, the AVX2 path with (true) or without (false) Int8PanelVnni's blocks.
    static float[] Multiply(Int8Panels panels, int cols, float[] x, int bits, int r0, int r1, float fill = 0, bool? vnni = null)
    {
        int tokens = x.Length / cols;
        var y = Enumerable.Repeat(fill, tokens * panels.Rows).ToArray();
        using var width = new KernelWidth(bits);
        bool saved = Int8PanelKernel.UseAvxVnni;
        Int8PanelKernel.UseAvxVnni = vnni ?? saved;
        try
        {
            var q = new Q8Activations();
            fixed (float* px = x, py = y)
            {
                q.Quantize(px, cols, tokens, cols);
                Int8PanelKernel.Multiply(panels, q, py, panels.Rows, r0, r1);
            }
        }
        finally
        {
            Int8PanelKernel.UseAvxVnni = saved;
        }
        return y;
    }
}
