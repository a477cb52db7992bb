using Prem.Llm.Attention;
using Prem.Llm.Native;
using static TorchSharp.torch;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// Causal attention of a prompt chunk of one sequence through LibTorch's float32 SDPA, beside
/// <see cref="PromptGemm"/>: with both, a prompt chunk runs on LibTorch's threads from projection to
/// projection, rather than handing the cores back and forth between LibTorch's OpenMP team (whose idle
/// threads spin) and the engine's pool. The scores are float32, as in the engine's own attention.
/// </summary>
internal static unsafe class PromptAttention
{
    static readonly SdpaAttention _sdpa = new();

    /// <summary>
    /// Tokens i = 0 … <paramref name="tokens"/> − 1 at positions <paramref name="start"/> + i of cache slot
    /// <paramref name="slot"/> (their keys and values already stored) attend to positions 0 … start + i; their
    /// queries are the first heads · headDim floats of each <paramref name="qkv"/> row, outputs go to <paramref name="output"/>.
    /// </summary>
    public static void Run(CpuKvCache cache, int layer, int slot, float* qkv, int qkvStride, int tokens, int start, int heads,
        float* output, int outputStride)
    {
        using var scope = NewDisposeScope();
        int d = cache.HeadDim, kvHeads = cache.KvHeads, length = start + tokens, qDim = heads * d;
        var q = empty([tokens, qDim], ScalarType.Float32);
        var qData = (float*)TensorMemory.DataPointer(q);
        for (int t = 0; t < tokens; t++) new ReadOnlySpan<float>(qkv + (long)t * qkvStride, qDim).CopyTo(new Span<float>(qData + (long)t * qDim, qDim));
        var keys = empty([kvHeads, length, d], ScalarType.Float32);
        var values = empty([kvHeads, length, d], ScalarType.Float32);
        float* k = (float*)TensorMemory.DataPointer(keys), v = (float*)TensorMemory.DataPointer(values);
        long rows = (long)length * d;
        for (int g = 0; g < kvHeads; g++)
        {
            new ReadOnlySpan<float>(cache.Keys(layer, slot, g), (int)rows).CopyTo(new Span<float>(k + g * rows, (int)rows));
            new ReadOnlySpan<float>(cache.Values(layer, slot, g), (int)rows).CopyTo(new Span<float>(v + g * rows, (int)rows));
        }
        // The model's own SDPA backend: GQA, and LibTorch's causal mask from position 0 or the offset mask after it.
        var query = q.view(1, tokens, heads, d).transpose(1, 2);
        var attended = _sdpa.Forward(query, keys.unsqueeze(0), values.unsqueeze(0), new AttentionMask { QueryOffset = start }, 1.0 / Math.Sqrt(d));
        var result = attended.transpose(1, 2).contiguous();
        var r = (float*)TensorMemory.DataPointer(result);
        for (int t = 0; t < tokens; t++) new ReadOnlySpan<float>(r + (long)t * qDim, qDim).CopyTo(new Span<float>(output + (long)t * outputStride, qDim));
    }
}
