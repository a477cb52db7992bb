using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// Causal attention of each token over its own sequence's cached positions 0 … position, one chunk
/// per (token, KV head): the group's query heads share that head's keys and values (GQA). Scores and
/// softmax in float32, as SDPA computes them for float32 inputs.
/// </summary>
internal sealed unsafe class AttentionJob : IPoolJob
{
    CpuKvCache _cache = null!;
    int _layer;
    float* _qkv;
    int _qkvStride;
    float* _output;
    int _outputStride;
    int[] _slots = null!;
    int[] _positions = null!;
    int _heads;
    int _headDim;
    float _scale;
    float[] _scores = [];

    /// <summary>Sets the run for <paramref name="tokens"/> tokens; returns the number of chunks.</summary>
    public int Begin(CpuKvCache cache, int layer, float* qkv, int qkvStride, float* output, int outputStride,
        int[] slots, int[] positions, int tokens, int heads, int headDim, int workers)
    {
        (_cache, _layer, _qkvStride, _outputStride, _slots, _positions, _heads, _headDim) =
            (cache, layer, qkvStride, outputStride, slots, positions, heads, headDim);
        _qkv = qkv;
        _output = output;
        _scale = (float)(1.0 / Math.Sqrt(headDim));
        if (_scores.Length < workers * cache.Capacity) _scores = new float[workers * cache.Capacity];
        return tokens * cache.KvHeads;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int chunk, int worker)
    {
        int kvHeads = _cache.KvHeads, group = _heads / kvHeads, d = _headDim;
        int t = chunk / kvHeads, g = chunk % kvHeads;
        int length = _positions[t] + 1;
        float* keys = _cache.Keys(_layer, _slots[t], g), values = _cache.Values(_layer, _slots[t], g);
        var scores = _scores.AsSpan(worker * _cache.Capacity, length);
        for (int i = 0; i < group; i++)
        {
            int h = g * group + i;
            var q = new ReadOnlySpan<float>(_qkv + (long)t * _qkvStride + h * d, d);
            for (int p = 0; p < length; p++) scores[p] = TensorPrimitives.Dot(q, new ReadOnlySpan<float>(keys + (long)p * d, d)) * _scale;
            float max = TensorPrimitives.Max(scores);
            TensorPrimitives.Subtract(scores, max, scores);
            TensorPrimitives.Exp(scores, scores);
            TensorPrimitives.Divide(scores, TensorPrimitives.Sum(scores), scores);
            var output = new Span<float>(_output + (long)t * _outputStride + h * d, d);
            output.Clear();
            for (int p = 0; p < length; p++)
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(values + (long)p * d, d), scores[p], output, output);
        }
    }
}
