using Prem.Llm.Generation.Cpu;
using Prem.Llm.Native;
using Prem.Llm.Numerics;
using Prem.Llm.Tests.Native;

namespace Prem.Llm.Tests.Generation.Cpu;

[Collection(nameof(CpuKernelCollection))]
public class Bf16ActivationsTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public unsafe void Rows_are_rounded_to_even_and_widened_only_for_the_managed_kernels(bool native)
    {
        using var kernels = new NativeKernelsEnabled(native);
        var input = new Bf16Activations();
        // A long row, then more short ones, then a longer batch: every shape reads back what it wrote.
        foreach (var (tokens, cols, stride) in new[] { (1, 300, 300), (7, 20, 33), (4, 130, 130) })
        {
            var x = Enumerable.Range(0, tokens * stride).Select(Value).ToArray();
            fixed (float* px = x) input.Round(px, stride, tokens, cols);
            Assert.Equal((tokens, cols), (input.Tokens, input.Cols));
            Assert.Equal(!NativeCpuKernels.Bf16.Use, input.HasWidened);
            for (int t = 0; t < tokens; t++)
                for (int k = 0; k < cols; k++)
                {
                    float value = x[t * stride + k];
                    ushort bits = input.Bits[t * cols + k];
                    Assert.Equal(RoundToEven(value), bits);
                    if (input.HasWidened) Assert.Equal(BFloat16Bits.ToSingle(bits), input.Widened[t * cols + k]);
                }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public unsafe void A_matrix_given_its_prepared_input_gives_the_bits_it_gives_when_it_rounds_it_itself(bool native)
    {
        using var kernels = new NativeKernelsEnabled(native);
        const int rows = 12, cols = 70, tokens = 5;
        var weights = Enumerable.Range(0, rows * cols).Select(i => BFloat16Bits.FromSingle(Value(i + 1000))).ToArray();
        var x = Enumerable.Range(0, tokens * cols).Select(Value).ToArray();
        var alone = new float[tokens * rows];
        var prepared = new float[tokens * rows];
        fixed (ushort* pw = weights)
        fixed (float* px = x, pa = alone, pp = prepared)
        {
            var matrix = new Bf16Matrix(pw) { Rows = rows, Cols = cols };
            matrix.Multiply(px, cols, tokens, pa, rows, 0, rows);
            var input = new Bf16Activations();
            input.Round(px, cols, tokens, cols);
            matrix.Multiply(px, cols, tokens, pp, rows, 0, 5, input);
            matrix.Multiply(px, cols, tokens, pp, rows, 5, rows, input);
        }
        Assert.Equal(alone, prepared);
        // And the products are those of the rounded inputs (float32 sums of exact bf16 products).
        for (int t = 0; t < tokens; t++)
            for (int r = 0; r < rows; r++)
            {
                double sum = 0, magnitude = 0;
                for (int k = 0; k < cols; k++)
                {
                    double p = (double)BFloat16Bits.ToSingle(weights[r * cols + k]) * BFloat16Bits.ToSingle(RoundToEven(x[t * cols + k]));
                    sum += p;
                    magnitude += Math.Abs(p);
                }
                Assert.True(Math.Abs(alone[t * rows + r] - sum) <= 1e-6 * magnitude, $"token {t}, row {r}: {alone[t * rows + r]} vs {sum}");
            }
    }

    // Values with many bits below bf16's 8: every rounding case, halfway ties included (k % 7 == 3).
    static float Value(int k) => k % 7 == 3
        ? BitConverter.UInt32BitsToSingle(0x3F808000u + ((uint)k % 5 << 16)) * (k % 2 == 0 ? 1 : -1)
        : (float)(Math.Sin(k * 0.37) * Math.Pow(2, k % 9 - 4));

    // The reference: add half of the dropped part's range, plus one if the kept part is odd (ties to even), and truncate.
    static ushort RoundToEven(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1)) >> 16);
    }
}
