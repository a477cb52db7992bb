using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Prem.Llm.Generation.Cpu;

namespace Prem.Llm.Tests.Generation.Cpu;

[Collection(nameof(CpuKernelCollection))]
public unsafe class PromptAttentionTests
{
    [Theory]
    [InlineData(0, 9)]   // the first chunk: LibTorch's own causal mask
    [InlineData(13, 7)]  // a later chunk: the offset mask over 20 cached positions
    public void A_chunk_attends_as_the_engine_attention_does(int start, int tokens)
    {
        const int heads = 6, kvHeads = 2, d = 16, qkvStride = (heads + 2 * kvHeads) * d + 3;
        var random = new Random(start + 1);
        var cache = new CpuKvCache(layers: 2, slots: 2, capacity: 24, kvHeads, d);
        for (int g = 0; g < kvHeads; g++)
            for (int p = 0; p < start + tokens; p++)
                for (int j = 0; j < d; j++)
                {
                    cache.Keys(1, 1, g)[p * d + j] = (float)random.NextDouble() * 2 - 1;
                    cache.Values(1, 1, g)[p * d + j] = (float)random.NextDouble() * 2 - 1;
                }
        var qkv = GC.AllocateArray<float>(tokens * qkvStride, pinned: true);
        for (int i = 0; i < qkv.Length; i++) qkv[i] = (float)random.NextDouble() * 2 - 1;
        var expected = GC.AllocateArray<float>(tokens * heads * d, pinned: true);
        var actual = GC.AllocateArray<float>(tokens * heads * d, pinned: true);
        var slots = Enumerable.Repeat(1, tokens).ToArray();
        var positions = Enumerable.Range(start, tokens).ToArray();
        float* q = Pointer(qkv), e = Pointer(expected), a = Pointer(actual);

        var job = new AttentionJob();
        int chunks = job.Begin(cache, 1, q, qkvStride, e, heads * d, slots, positions, tokens, heads, d, workers: 1);
        for (int c = 0; c < chunks; c++) job.Execute(c, 0);
        PromptAttention.Run(cache, 1, 1, q, qkvStride, tokens, start, heads, a, heads * d);

        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-5f);
    }

    static float* Pointer(float[] pinned) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
}
