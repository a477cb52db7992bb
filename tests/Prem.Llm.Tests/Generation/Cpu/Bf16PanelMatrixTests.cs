using System.Runtime.CompilerServices;
using Prem.Llm.Generation.Cpu;
using Prem.Llm.Native;
using Prem.Llm.Numerics;
using Prem.Llm.Testing;

namespace Prem.Llm.Tests.Generation.Cpu;

/// <summary>
/// The bf16 panel kernel through its matrix: against double-precision sums of the same bf16 products, every
/// token count from 1 to 11 and column counts around the pairs; the same bits whatever tokens or panels share a
/// call; rows read back rounded; bad row ranges named.
/// </summary>
public unsafe class Bf16PanelMatrixTests : IClassFixture<ToolReport>
{
    public static TheoryData<int> Columns => new() { 1, 2, 3, 17, 31, 64, 77, 172, 770 };

    [SkippableTheory, MemberData(nameof(Columns))]
    public void Products_sum_as_double_and_do_not_depend_on_the_batch(int cols)
    {
        ToolRequirement.NativeCpuKernel(NativeCpuKernels.Bf16);
        const int rows = 37, tokens = 11; // a partial last panel; more tokens than one group of eight
        var random = new Random(cols);
        var w = Enumerable.Range(0, rows * cols).Select(_ => Value(random)).ToArray();
        var x = Enumerable.Range(0, tokens * cols).Select(_ => Value(random)).ToArray();
        var matrix = Bf16PanelMatrix.Pack(rows, cols, (r, row) => w.AsSpan(r * cols, cols).CopyTo(row));
        var all = Multiply(matrix, x, 0, tokens, 0, rows);
        for (int t = 0; t < tokens; t++)
            for (int r = 0; r < rows; r++)
            {
                double sum = 0, magnitude = 0;
                for (int k = 0; k < cols; k++)
                {
                    double p = (double)Rounded(w[r * cols + k]) * Rounded(x[t * cols + k]);
                    sum += p;
                    magnitude += Math.Abs(p);
                }
                // Each lane adds its pairs one after another in two chains (two roundings per pair), then the chains.
                double bound = (cols + 4) * Math.Pow(2, -24) * magnitude + 1e-30;
                Assert.True(Math.Abs(all[t * rows + r] - sum) <= bound, $"row {r}, token {t}: {all[t * rows + r]} vs {sum}");
            }
        for (int first = 0; first < tokens; first++)
            for (int count = 1; first + count <= tokens; count++)
            {
                var low = Multiply(matrix, x, first, count, 0, 16);
                var high = Multiply(matrix, x, first, count, 16, rows);
                for (int t = 0; t < count; t++)
                    for (int r = 0; r < rows; r++)
                        Assert.Equal(all[(first + t) * rows + r], (r < 16 ? low : high)[t * rows + r]);
            }
        var read = new float[cols];
        for (int r = 0; r < rows; r++)
        {
            matrix.ReadRow(r, read);
            for (int k = 0; k < cols; k++) Assert.Equal(Rounded(w[r * cols + k]), read[k]);
        }
        Assert.Equal((long)(rows + 15) / 16 * 16 * ((cols + 1) / 2) * 4, matrix.Bytes);
    }

    [SkippableFact]
    public void Rows_past_the_call_are_not_written_and_a_misplaced_start_is_named()
    {
        ToolRequirement.NativeCpuKernel(NativeCpuKernels.Bf16);
        const int rows = 20, cols = 6;
        var matrix = Bf16PanelMatrix.Pack(rows, cols, (r, row) => row.Fill(1));
        var x = Enumerable.Repeat(0.5f, cols).ToArray();
        var y = Multiply(matrix, x, 0, 1, 16, 19, fill: float.NaN);
        for (int r = 0; r < rows; r++) Assert.Equal(r is >= 16 and < 19 ? 3f : float.NaN, y[r]);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Multiply(matrix, x, 0, 1, 5, rows));
        Assert.Contains("every 16 rows", error.Message);
    }

    static float[] Multiply(Bf16PanelMatrix matrix, float[] x, int first, int count, int r0, int r1, float fill = 0)
    {
        int cols = matrix.Cols, rows = matrix.Rows;
        var y = Enumerable.Repeat(fill, count * rows).ToArray();
        fixed (float* px = x, py = y) matrix.Multiply(px + first * cols, cols, count, py, rows, r0, r1);
        return y;
    }

    static float Rounded(float v) => BFloat16Bits.ToSingle(BFloat16Bits.FromSingle(v));

    // Mixed signs and magnitudes, not bf16 values: the matrix and the activations round them.
    static float Value(Random random) => (float)((random.NextDouble() * 2 - 1) * Math.Pow(2, random.Next(-6, 4)));
}
