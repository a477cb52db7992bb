using Prem.Llm.Generation.Cpu;
using Prem.Llm.Numerics;

namespace Prem.Llm.Tests.Generation.Cpu;

[Collection(nameof(CpuKernelCollection))]
public class MatMulKernel256Tests
{
    [SkippableTheory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(0)]
    public void Only_the_256_bit_kernel_prefetches_its_next_rows_in_place_of_the_warming_pass(int bits)
    {
        using var width = new KernelWidth(bits);
        Assert.Equal(bits == 256, MatMulKernel.PrefetchesAhead);
    }

    // Columns: none whole (1, 7), one vector, the 32-wide loop and its tail, stories260K's MLP width (172), a long row.
    // Tokens 1–3 stream rows; from 4 on, 2 × 4 blocks with leftover tokens and an odd leftover row.
    [SkippableTheory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(40)]
    [InlineData(77)]
    [InlineData(172)]
    [InlineData(1000)]
    public unsafe void Float32_and_bf16_rows_sum_as_double_whatever_rows_share_the_call(int cols)
    {
        using var width = new KernelWidth(256);
        const int rows = 7, rowStart = 1, rowEnd = 6;
        var random = new Random(cols);
        var weights = Enumerable.Range(0, rows * cols).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray();
        var bits = new ushort[weights.Length];
        BFloat16Bits.FromSingle(weights, bits);
        var widened = new float[bits.Length];
        BFloat16Bits.ToSingle(bits, widened);
        for (int tokens = 1; tokens <= 9; tokens++)
        {
            var x = Enumerable.Range(0, tokens * cols).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            foreach (bool bf16 in new[] { false, true })
            {
                var w = bf16 ? widened : weights;
                var y = Enumerable.Repeat(float.NaN, tokens * rows).ToArray();
                fixed (float* pw = weights, px = x, py = y)
                fixed (ushort* pb = bits)
                {
                    if (bf16) MatMulKernel.Multiply(new Bf16Rows(pb, cols), cols, px, cols, tokens, py, rows, rowStart, rowEnd);
                    else MatMulKernel.Multiply(new Fp32Rows(pw, cols), cols, px, cols, tokens, py, rows, rowStart, rowEnd);
                }
                // The same rows split where the pool's chunks might split them (an odd row alone): the same bits.
                var split = Enumerable.Repeat(float.NaN, tokens * rows).ToArray();
                fixed (float* pw = weights, px = x, py = split)
                fixed (ushort* pb = bits)
                    foreach (var (from, to) in new[] { (rowStart, rowStart + 2), (rowStart + 2, rowEnd) })
                        if (bf16) MatMulKernel.Multiply(new Bf16Rows(pb, cols), cols, px, cols, tokens, py, rows, from, to);
                        else MatMulKernel.Multiply(new Fp32Rows(pw, cols), cols, px, cols, tokens, py, rows, from, to);
                Assert.Equal(y, split);
                for (int t = 0; t < tokens; t++)
                    for (int r = 0; r < rows; r++)
                    {
                        float got = y[t * rows + r];
                        if (r < rowStart || r >= rowEnd)
                        {
                            Assert.True(float.IsNaN(got), $"row {r} outside [{rowStart}, {rowEnd}) was written");
                            continue;
                        }
                        double exact = 0, magnitude = 0;
                        for (int k = 0; k < cols; k++)
                        {
                            exact += (double)w[r * cols + k] * x[t * cols + k];
                            magnitude += Math.Abs((double)w[r * cols + k] * x[t * cols + k]);
                        }
                        Assert.True(Math.Abs(got - exact) <= 1e-5 * magnitude + 1e-7,
                            $"{(bf16 ? "bf16" : "float32")}, {tokens} tokens, row {r}, token {t}: {got} vs {exact}");
                    }
            }
        }
    }
}
