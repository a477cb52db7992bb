using Prem.Llm.Generation.Cpu;
using Prem.Llm.Numerics;

namespace Prem.Llm.Tests.Generation.Cpu;

public class Bf16RowsTests
{
    [Fact]
    public unsafe void Every_load_widens_the_stored_bits_exactly_at_the_same_element()
    {
        const int rows = 3, cols = 40;
        var bits = new ushort[rows * cols];
        BFloat16Bits.FromSingle(WeightRowsChecks.Values(rows, cols), bits);
        var widened = new float[bits.Length];
        BFloat16Bits.ToSingle(bits, widened);
        fixed (ushort* data = bits) WeightRowsChecks.LoadsMatch(new Bf16Rows(data, cols), widened, rows, cols);
    }
}
