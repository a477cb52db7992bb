using Prem.Llm.Generation.Cpu;
using Prem.Llm.Modeling;

namespace Prem.Llm.Tests.Generation.Cpu;

[Collection(nameof(CpuKernelCollection))]
public class AttentionJobTests
{
    // Head dims that are multiples of 16 take the 512-bit loops (64 in registers at a time, then 16); others the portable path.
    [Theory]
    [InlineData(64)]
    [InlineData(80)]
    [InlineData(24)]
    public void Head_dims_match_the_TorchSharp_forward_with_and_without_512_bit_kernels(int headDim)
    {
        var config = new LlamaConfig
        {
            HiddenSize = 64, IntermediateSize = 96, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = headDim,
            VocabSize = 101, MaxPositionEmbeddings = 128, BosTokenId = null, EosTokenIds = [],
        };
        using var model = new LlamaForCausalLM(config, seed: headDim);
        var prompt = Enumerable.Range(0, 45).Select(i => (i * 17 + 3) % 101).ToArray();
        var reference = CpuLlamaTests.TorchLogits(model, prompt);
        bool saved = MatMulKernel.UseVector512;
        try
        {
            foreach (bool wide in new[] { true, false })
            {
                if (wide && !saved) continue; // no AVX-512 here: the portable case still runs
                MatMulKernel.UseVector512 = wide;
                float diff = CpuLlamaTests.MaxAbsDiff(CpuLlamaTests.EngineLogits(new CpuLlama(model), prompt), reference);
                Assert.True(diff < 1e-4f, $"head dim {headDim}, 512-bit {wide}: max |Δ| = {diff}");
            }
        }
        finally
        {
            MatMulKernel.UseVector512 = saved;
        }
    }
}
