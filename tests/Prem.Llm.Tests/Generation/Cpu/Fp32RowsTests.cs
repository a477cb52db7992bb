using Prem.Llm.Generation.Cpu;

namespace Prem.Llm.Tests.Generation.Cpu;

public class Fp32RowsTests
{
    [Fact]
    public unsafe void Every_load_reads_the_same_element()
    {
        const int rows = 3, cols = 40;
        var values = WeightRowsChecks.Values(rows, cols);
        fixed (float* data = values) WeightRowsChecks.LoadsMatch(new Fp32Rows(data, cols), values, rows, cols);
    }
}
