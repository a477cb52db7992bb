using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;

namespace Prem.Llm.Tests.Gguf;

/// <summary>
/// llama.cpp (CPU build, through LLamaSharp's low-level API) on one GGUF file: tokenize, logits at every
/// position, greedy continuation. Two threads, a fresh context per call (no cache carried over).
/// </summary>
internal sealed class LlamaCpp : IDisposable
{
    static readonly Lock _logGate = new();
    static bool _logSilenced;
    readonly ModelParams _params;

    LlamaCpp(string path, uint contextSize)
    {
        lock (_logGate)
        {
            if (!_logSilenced)
            {
                // llama.cpp logs every load to stderr; the tests only need its errors (as exceptions).
                NativeLogConfig.llama_log_set((_, _) => { });
                _logSilenced = true;
            }
        }
        _params = new ModelParams(path)
        {
            ContextSize = contextSize, BatchSize = contextSize, UBatchSize = contextSize, Threads = 2, BatchThreads = 2, GpuLayerCount = 0,
            // llama.cpp keeps its KV cache in f16 by default; f32 keeps the comparison about the weights.
            TypeK = GGMLType.GGML_TYPE_F32, TypeV = GGMLType.GGML_TYPE_F32, FlashAttention = false,
        };
        Weights = LLamaWeights.LoadFromFile(_params);
    }

    public LLamaWeights Weights { get; }

    public static LlamaCpp Load(string path, uint contextSize = 256) => new(path, contextSize);

    /// <summary>llama.cpp's ids for <paramref name="text"/> (special-token strings matched as HF's encode does when <paramref name="special"/>).</summary>
    public int[] Tokenize(string text, bool addBos, bool special) =>
        [.. Weights.Tokenize(text, addBos, special, Encoding.UTF8).Select(t => (int)t)];

    /// <summary>Logits [position][vocab] for <paramref name="ids"/>, from one batch.</summary>
    public float[][] Logits(IReadOnlyList<int> ids)
    {
        using var context = Weights.CreateContext(_params);
        var batch = new LLamaBatch();
        for (int i = 0; i < ids.Count; i++) batch.Add(ids[i], i, LLamaSeqId.Zero, true);
        var result = context.Decode(batch);
        if (result != DecodeResult.Ok) throw new InvalidOperationException($"llama_decode: {result}");
        return [.. Enumerable.Range(0, ids.Count).Select(i => context.NativeHandle.GetLogitsIth(i).ToArray())];
    }

    /// <summary>Greedy continuation of <paramref name="prompt"/> by <paramref name="count"/> tokens, one token per decode.</summary>
    public List<int> Greedy(IReadOnlyList<int> prompt, int count)
    {
        using var context = Weights.CreateContext(_params);
        var batch = new LLamaBatch();
        for (int i = 0; i < prompt.Count; i++) batch.Add(prompt[i], i, LLamaSeqId.Zero, i == prompt.Count - 1);
        var output = new List<int>();
        int position = prompt.Count;
        for (int step = 0; step < count; step++)
        {
            if (context.Decode(batch) != DecodeResult.Ok) throw new InvalidOperationException("llama_decode failed");
            var logits = context.NativeHandle.GetLogitsIth(batch.TokenCount - 1);
            int next = ArgMax(logits);
            output.Add(next);
            batch.Clear();
            batch.Add(next, position++, LLamaSeqId.Zero, true);
        }
        return output;
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    public static double[] LogSoftmax(float[] logits)
    {
        double max = logits.Max(), sum = 0;
        foreach (float v in logits) sum += Math.Exp(v - max);
        double log = max + Math.Log(sum);
        return [.. logits.Select(v => v - log)];
    }

    public void Dispose() => Weights.Dispose();
}
