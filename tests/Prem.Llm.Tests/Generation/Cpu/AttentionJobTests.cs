using Prem.Llm.Generation.Cpu;
using Prem.Llm.Modeling;

namespace Prem.Llm.Tests.Generation.Cpu;

[Collection(nameof(CpuKernelCollection))]
public class AttentionJobTests
{
    // Head dims that are multiples of 16 take the 512-bit loops (64 in registers at a time, then 16), multiples of 8 the
    // 256-bit ones (32, then 8); others the portable path.
    [SkippableTheory]
    [InlineData(64, 512)]
    [InlineData(80, 512)]
    [InlineData(24, 512)]
    [InlineData(64, 256)]
    [InlineData(80, 256)]
    [InlineData(24, 256)]
    [InlineData(12, 256)]
    [InlineData(64, 0)]
    [InlineData(24, 0)]
    public void Head_dims_match_the_TorchSharp_forward_at_every_kernel_width(int headDim, int bits)
    {
        using var width = new KernelWidth(bits);
        var config = new LlamaConfig
        {
            HiddenSize = 64, IntermediateSize = 96, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = headDim,
            VocabSize = 101, MaxPositionEmbeddings = 128, BosTokenId = null, EosTokenIds = [],
        };
        using var model = new LlamaForCausalLM(config, seed: headDim);
        var prompt = Enumerable.Range(0, 45).Select(i => (i * 17 + 3) % 101).ToArray();
        var reference = CpuLlamaTests.TorchLogits(model, prompt);
        float diff = CpuLlamaTests.MaxAbsDiff(CpuLlamaTests.EngineLogits(new CpuLlama(model), prompt), reference);
        Assert.True(diff < 1e-4f, $"head dim {headDim}, {bits}-bit kernels: max |Δ| = {diff}");
    }
}
