using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// Causal attention of each token over its own sequence's cached positions 0 … position, one chunk
/// per (token, KV head): the group's query heads share that head's keys and values (GQA). Scores and
/// softmax in float32, as SDPA computes them for float32 inputs. Head dims that are multiples of 16 run
/// as 512-bit loops over the cached rows; others (or CPUs without AVX-512) through TensorPrimitives.
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
        bool wide = MatMulKernel.UseVector512 && d % 16 == 0;
        bool avx2 = !wide && MatMulKernel.UseVector256 && d % 8 == 0;
        for (int i = 0; i < group; i++)
        {
            int h = g * group + i;
            float* q = _qkv + (long)t * _qkvStride + h * d, output = _output + (long)t * _outputStride + h * d;
            fixed (float* s = scores)
            {
                if (wide) Scores512(q, keys, d, length, _scale, s);
                else if (avx2) Scores256(q, keys, d, length, _scale, s);
                else
                    for (int p = 0; p < length; p++)
                        s[p] = TensorPrimitives.Dot(new ReadOnlySpan<float>(q, d), new ReadOnlySpan<float>(keys + (long)p * d, d)) * _scale;
                float max = TensorPrimitives.Max(scores);
                TensorPrimitives.Subtract(scores, max, scores);
                TensorPrimitives.Exp(scores, scores);
                TensorPrimitives.Divide(scores, TensorPrimitives.Sum(scores), scores);
                if (wide) Weighted512(values, d, length, s, output);
                else if (avx2) Weighted256(values, d, length, s, output);
                else
                {
                    var o = new Span<float>(output, d);
                    o.Clear();
                    for (int p = 0; p < length; p++)
                        TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(values + (long)p * d, d), s[p], o, o);
                }
            }
        }
    }

    // s[p] = q · key p × scale for head dims that are multiples of 16: two positions per pass (two independent
    // chains), each a run of 512-bit FMAs and one horizontal sum. TensorPrimitives.Dot per 64-float row spent more
    // on the call than on the arithmetic (the profile at 1.5K positions: 41% of a decode step).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Scores512(float* q, float* keys, int d, int length, float scale, float* s)
    {
        int p = 0;
        for (; p + 2 <= length; p += 2)
        {
            float* k0 = keys + (long)p * d, k1 = k0 + d;
            Vector512<float> a0 = default, a1 = default;
            for (int j = 0; j < d; j += 16)
            {
                var qj = Vector512.Load(q + j);
                a0 = Vector512.FusedMultiplyAdd(qj, Vector512.Load(k0 + j), a0);
                a1 = Vector512.FusedMultiplyAdd(qj, Vector512.Load(k1 + j), a1);
            }
            s[p] = Vector512.Sum(a0) * scale;
            s[p + 1] = Vector512.Sum(a1) * scale;
        }
        if (p < length)
        {
            float* k0 = keys + (long)p * d;
            Vector512<float> a0 = default;
            for (int j = 0; j < d; j += 16) a0 = Vector512.FusedMultiplyAdd(Vector512.Load(q + j), Vector512.Load(k0 + j), a0);
            s[p] = Vector512.Sum(a0) * scale;
        }
    }

    // output = Σ_p s[p] · value p, 64 columns at a time held in registers across all positions.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Weighted512(float* values, int d, int length, float* s, float* output)
    {
        int j = 0;
        for (; j + 64 <= d; j += 64)
        {
            Vector512<float> o0 = default, o1 = default, o2 = default, o3 = default;
            float* v = values + j;
            for (int p = 0; p < length; p++, v += d)
            {
                var w = Vector512.Create(s[p]);
                o0 = Vector512.FusedMultiplyAdd(Vector512.Load(v), w, o0);
                o1 = Vector512.FusedMultiplyAdd(Vector512.Load(v + 16), w, o1);
                o2 = Vector512.FusedMultiplyAdd(Vector512.Load(v + 32), w, o2);
                o3 = Vector512.FusedMultiplyAdd(Vector512.Load(v + 48), w, o3);
            }
            o0.Store(output + j);
            o1.Store(output + j + 16);
            o2.Store(output + j + 32);
            o3.Store(output + j + 48);
        }
        for (; j < d; j += 16)
        {
            Vector512<float> o = default;
            float* v = values + j;
            for (int p = 0; p < length; p++, v += d) o = Vector512.FusedMultiplyAdd(Vector512.Load(v), Vector512.Create(s[p]), o);
            o.Store(output + j);
        }
    }

    // Scores512 in 256-bit vectors, for head dims that are multiples of 8 but not 16, or CPUs without AVX-512.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Scores256(float* q, float* keys, int d, int length, float scale, float* s)
    {
        int p = 0;
        for (; p + 2 <= length; p += 2)
        {
            float* k0 = keys + (long)p * d, k1 = k0 + d;
            Vector256<float> a0 = default, a1 = default;
            for (int j = 0; j < d; j += 8)
            {
                var qj = Vector256.Load(q + j);
                a0 = Vector256.FusedMultiplyAdd(qj, Vector256.Load(k0 + j), a0);
                a1 = Vector256.FusedMultiplyAdd(qj, Vector256.Load(k1 + j), a1);
            }
            s[p] = Vector256.Sum(a0) * scale;
            s[p + 1] = Vector256.Sum(a1) * scale;
        }
        if (p < length)
        {
            float* k0 = keys + (long)p * d;
            Vector256<float> a0 = default;
            for (int j = 0; j < d; j += 8) a0 = Vector256.FusedMultiplyAdd(Vector256.Load(q + j), Vector256.Load(k0 + j), a0);
            s[p] = Vector256.Sum(a0) * scale;
        }
    }

    // Weighted512 in 256-bit vectors: 32 columns at a time held in registers across all positions.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Weighted256(float* values, int d, int length, float* s, float* output)
    {
        int j = 0;
        for (; j + 32 <= d; j += 32)
        {
            Vector256<float> o0 = default, o1 = default, o2 = default, o3 = default;
            float* v = values + j;
            for (int p = 0; p < length; p++, v += d)
            {
                var w = Vector256.Create(s[p]);
                o0 = Vector256.FusedMultiplyAdd(Vector256.Load(v), w, o0);
                o1 = Vector256.FusedMultiplyAdd(Vector256.Load(v + 8), w, o1);
                o2 = Vector256.FusedMultiplyAdd(Vector256.Load(v + 16), w, o2);
                o3 = Vector256.FusedMultiplyAdd(Vector256.Load(v + 24), w, o3);
            }
            o0.Store(output + j);
            o1.Store(output + j + 8);
            o2.Store(output + j + 16);
            o3.Store(output + j + 24);
        }
        for (; j < d; j += 8)
        {
            Vector256<float> o = default;
            float* v = values + j;
            for (int p = 0; p < length; p++, v += d) o = Vector256.FusedMultiplyAdd(Vector256.Load(v), Vector256.Create(s[p]), o);
            o.Store(output + j);
        }
    }
}
