using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Prem.Llm.Generation.Cpu;

namespace Prem.Llm.Tests.Generation.Cpu;

// The blocks against the AVX2 ones, on any AVX2 CPU: Int8PanelKernelTests.The_AVX_VNNI_blocks_give_the_AVX2_blocks_bits.
public class Int8PanelVnniTests
{
    // Each int32 lane plus its four bytes' products, unsigned × signed, at the extremes (255 · −128 four times) and at
    // random: Dot against sums in long. On CPUs without AVX-VNNI this checks the emulation that Int8PanelKernelTests
    // runs the blocks with.
    [Fact]
    public void Dot_adds_each_lanes_four_unsigned_by_signed_products()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 200; trial++)
        {
            var u = new byte[32];
            var x = new sbyte[32];
            var sum = new int[8];
            for (int i = 0; i < 32; i++)
            {
                u[i] = trial == 0 ? (byte)255 : (byte)random.Next(256);
                x[i] = trial == 0 ? sbyte.MinValue : trial == 1 ? sbyte.MaxValue : (sbyte)random.Next(-128, 128);
            }
            for (int i = 0; i < 8; i++) sum[i] = random.Next(-1 << 24, 1 << 24);
            var dot = Int8PanelVnni.Dot(Vector256.Create(sum), Vector256.Create(u), Vector256.Create(x));
            for (int i = 0; i < 8; i++)
            {
                long expected = sum[i];
                for (int k = 4 * i; k < 4 * i + 4; k++) expected += (long)u[k] * x[k];
                Assert.Equal(expected, dot.GetElement(i));
            }
        }
    }

    // The instruction against the emulation, on CPUs that have it (elsewhere the emulation is all there is to check,
    // in the test above).
    [SkippableFact]
    public void The_AVX_VNNI_instruction_gives_the_emulations_sums()
    {
        Skip.IfNot(AvxVnni.IsSupported, "this CPU has no AVX-VNNI (its emulation and the AVX2 blocks run)");
        var random = new Random(8);
        var u = Vector256.Create(Enumerable.Range(0, 32).Select(_ => (byte)random.Next(256)).ToArray());
        var x = Vector256.Create(Enumerable.Range(0, 32).Select(_ => (sbyte)random.Next(-128, 128)).ToArray());
        var sum = Vector256.Create(Enumerable.Range(0, 8).Select(_ => random.Next()).ToArray());
        Assert.Equal(Int8PanelVnni.Emulated(sum, u, x), Int8PanelVnni.Dot(sum, u, x));
    }
}
