using System.Runtime.Intrinsics.X86;
using Prem.Llm.Generation.Cpu;

namespace Prem.Llm.Tests.Generation.Cpu;

public class Int8KernelAvx2Tests
{
    // Blocks: one (no odd block), two, and an odd count; weights and activations span the full ±127 (the VPMADDUBSW
    // pair sums reach 2 · 127², under int16's limit) and include zeros (VPSIGNB zeroes the activation there).
    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public unsafe void Block_sums_are_exact_and_four_tokens_give_each_token_its_bits_alone(int blocks)
    {
        Skip.IfNot(Avx2.IsSupported && Fma.IsSupported, "this CPU has no AVX2 + FMA");
        var random = new Random(blocks);
        int n = blocks * 32;
        var w = Enumerable.Range(0, n).Select(i => (sbyte)(i % 11 == 0 ? (i % 2 == 0 ? 127 : -127) : random.Next(-127, 128))).ToArray();
        var x = Enumerable.Range(0, 4 * n).Select(i => (sbyte)(i % 13 == 0 ? 0 : random.Next(-127, 128))).ToArray();
        // Scale products per token and block, powers of two so the reference sum in double is exact.
        var s = Enumerable.Range(0, 4 * blocks).Select(i => MathF.Pow(2, i % 5 - 2)).ToArray();
        var y = new float[4 * 3];
        fixed (sbyte* pw = w, px = x)
        fixed (float* ps = s, py = y)
        {
            Int8KernelAvx2.Dot4(pw, px, n, ps, blocks, py, 3);
            for (int t = 0; t < 4; t++)
            {
                float alone = Int8KernelAvx2.Dot(pw, px + t * n, ps + t * blocks, blocks);
                Assert.Equal(alone, y[t * 3]);
                double exact = 0;
                for (int b = 0; b < blocks; b++)
                {
                    long sum = 0;
                    for (int k = b * 32; k < b * 32 + 32; k++) sum += w[k] * x[t * n + k];
                    exact += (double)sum * s[t * blocks + b];
                }
                Assert.Equal(exact, alone, Math.Abs(exact) * 1e-6 + 1e-3);
            }
        }
    }
}
