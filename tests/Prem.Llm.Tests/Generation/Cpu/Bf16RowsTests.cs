using System.Runtime.Intrinsics;
using Prem.Llm.Generation.Cpu;
using Prem.Llm.Numerics;

namespace Prem.Llm.Tests.Generation.Cpu;

public class Bf16RowsTests
{
    [Fact]
    public unsafe void Every_load_widens_the_stored_bits_exactly_at_the_same_element()
    {
        const int rows = 3, cols = 40;
        var random = new Random(5);
        var values = Enumerable.Range(0, rows * cols).Select(_ => (float)random.NextDouble() * 8 - 4).ToArray();
        var bits = new ushort[values.Length];
        BFloat16Bits.FromSingle(values, bits);
        var widened = new float[bits.Length];
        BFloat16Bits.ToSingle(bits, widened);
        fixed (ushort* data = bits)
        {
            var w = new Bf16Rows(data, cols);
            for (int r = 0; r < rows; r++)
            {
                for (int k = 0; k < cols; k++) Assert.Equal(widened[r * cols + k], w.Load1(r, k));
                for (int k = 0; k + 8 <= cols; k += 8)
                {
                    var expected = Vector256.Create(widened, r * cols + k);
                    Assert.Equal(expected, w.Load8(r, k));
                    Assert.Equal(expected, w.Load8((long)r * cols + k));
                }
                for (int k = 0; k + 16 <= cols; k += 16) Assert.Equal(Vector512.Create(widened, r * cols + k), w.Load16(r, k));
            }
            w.Prefetch((long)rows * cols + 4096); // a hint past the end: never faults
        }
    }
}
