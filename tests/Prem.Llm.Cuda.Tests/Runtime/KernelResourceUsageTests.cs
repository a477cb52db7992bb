using Prem.Llm.Cuda.Runtime;

namespace Prem.Llm.Cuda.Tests.Runtime;

public class KernelResourceUsageTests
{
    [Fact]
    public void ParsesPtxasReport()
    {
        const string log = """
            ptxas info    : 0 bytes gmem
            ptxas info    : Compiling entry function 'k_one' for 'sm_80'
            ptxas info    : Function properties for k_one
            ptxas         .     24 bytes stack frame, 16 bytes spill stores, 8 bytes spill loads
            ptxas info    : Used 255 registers, 24 bytes cumulative stack size, 544 bytes cmem[0]
            ptxas info    : Compiling entry function 'k_two' for 'sm_80'
            ptxas info    : Function properties for k_two
            ptxas         .     0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
            ptxas info    : Used 31 registers, 544 bytes cmem[0]
            """;
        var usage = KernelResourceUsage.Parse(log);
        Assert.Equal(new KernelResourceUsage("k_one", 255, 16, 8, 24), usage["k_one"]);
        Assert.Equal(new KernelResourceUsage("k_two", 31, 0, 0, 0), usage["k_two"]);
        Assert.Equal(2, usage.Count);
    }

    [Fact]
    public void EmptyLogHasNoKernels() => Assert.Empty(KernelResourceUsage.Parse(""));
}
