using Prem.Llm.Generation.Cpu;
using Prem.Llm.Native;
using Prem.Llm.Tests.Native;

namespace Prem.Llm.Tests.Generation.Cpu;

[Collection(nameof(CpuKernelCollection))]
public class Q8ActivationsTests : IClassFixture<ToolReport>
{
    [SkippableFact]
    public unsafe void The_native_layout_is_x_plus_128_with_scales_on_8_lanes_whatever_shapes_came_before()
    {
        ToolRequirement.NativeCpuKernel(NativeCpuKernels.Int8); // only the native kernels read this layout
        using var kernels = new NativeKernelsEnabled(true);
        var q = new Q8Activations();
        // One long row, then many short ones: the same bytes, but more expanded scales (6 tokens × one pair).
        foreach (var (tokens, cols) in new[] { (1, 192), (6, 20), (3, 70) })
        {
            var x = Enumerable.Range(0, tokens * cols).Select(i => (float)Math.Cos(i) * (1 + i % 5)).ToArray();
            fixed (float* px = x) q.Quantize(px, cols, tokens, cols);
            Assert.True(q.HasNativeLayout);
            int blocks = q.Blocks;
            Assert.Equal((blocks + 1) / 2 * 16, q.ExpandedStride);
            for (int t = 0; t < tokens; t++)
            {
                for (int k = 0; k < blocks * 32; k++) Assert.Equal(q.Values(t)[k] + 128, q.Unsigned(t)[k]); // padding: 0 → 128
                for (int l = 0; l < q.ExpandedStride; l++)
                    Assert.Equal(l / 8 < blocks ? q.Scales(t)[l / 8] : 0f, q.ExpandedScales(t)[l]);
            }
        }
    }
}
