using Prem.Llm.Generation.Cpu;
using Prem.Llm.Native;
using Prem.Llm.Tests.Native;

namespace Prem.Llm.Tests.Generation.Cpu;

[Collection(nameof(CpuKernelCollection))]
public class Q8ActivationsTests : IClassFixture<ToolReport>
{
    // The readers of the bytes: the native kernel (written wherever it is available, even switched off: a matrix in
    // panels reads them) and the AVX2 panel kernel.
    [SkippableTheory]
    [InlineData("native")]
    [InlineData("avx2")]
    public unsafe void The_bytes_are_the_values_with_minus_128_times_each_block_sum_whatever_shapes_came_before(string reader)
    {
        if (reader == "native") ToolRequirement.NativeCpuKernel(NativeCpuKernels.Int8);
        using var kernels = new NativeKernelsEnabled(false);
        using var width = reader == "avx2" ? new KernelWidth(256) : null;
        if (reader == "avx2") Assert.True(Int8PanelKernel.UseAvx2);
        var q = new Q8Activations();
        // One long row, then many short ones, then a shape with a short last block.
        foreach (var (tokens, cols) in new[] { (1, 192), (6, 20), (3, 70) })
        {
            var x = Enumerable.Range(0, tokens * cols).Select(i => (float)Math.Cos(i) * (1 + i % 5)).ToArray();
            fixed (float* px = x) q.Quantize(px, cols, tokens, cols);
            Assert.True(q.HasSignedBytes);
            int blocks = q.Blocks;
            for (int t = 0; t < tokens; t++)
                for (int b = 0; b < blocks; b++)
                {
                    int sum = 0;
                    for (int k = b * 32; k < b * 32 + 32; k++)
                    {
                        Assert.Equal(q.Values(t)[k], q.Signed(t)[k]); // padding: zeros
                        sum += q.Values(t)[k];
                    }
                    Assert.Equal(-128 * sum, q.Corrections(t)[b]);
                }
        }
    }
}
