using Prem.Llm.Modeling;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// RoPE angles for the CPU engine with every scaling type of <see cref="RopeParameters"/>, in the
/// TorchSharp path's float32 arithmetic: angle = float(position) · float(inv_freq), cos/sin in float32,
/// times the scaling's attention factor. "dynamic" and "longrope" depend on the sequence length; their
/// frequencies are recomputed only when the length changes what they give.
/// </summary>
internal sealed class CpuRope
{
    readonly LlamaConfig _config;
    readonly bool _dependsOnLength;
    readonly int _original;
    readonly float[] _invFreq;
    float _attentionFactor;
    long _key = long.MinValue;

    /// <summary>The RoPE of <paramref name="config"/>.</summary>
    public CpuRope(LlamaConfig config)
    {
        _config = config;
        _invFreq = new float[config.HeadDim / 2];
        var scaling = config.RopeScaling;
        _dependsOnLength = scaling?.RopeType is "dynamic" or "longrope";
        _original = scaling?.OriginalMaxPositionEmbeddings ?? config.MaxPositionEmbeddings;
        Load(0);
    }

    /// <summary>Half the head size: the number of rotated pairs.</summary>
    public int Half => _invFreq.Length;

    /// <summary>
    /// cos and sin (<see cref="Half"/> each) for <paramref name="position"/> in a call whose largest
    /// position + 1 is <paramref name="sequenceLength"/>.
    /// </summary>
    public void Angles(int position, int sequenceLength, Span<float> cos, Span<float> sin)
    {
        if (_dependsOnLength)
        {
            long key = _config.RopeScaling!.RopeType == "dynamic" ? Math.Max(sequenceLength, _original) : sequenceLength > _original ? 1 : 0;
            if (key != _key) Load(sequenceLength);
        }
        float p = position;
        for (int j = 0; j < _invFreq.Length; j++)
        {
            float angle = p * _invFreq[j];
            cos[j] = MathF.Cos(angle);
            sin[j] = MathF.Sin(angle);
        }
        if (_attentionFactor != 1f)
            for (int j = 0; j < _invFreq.Length; j++)
            {
                cos[j] *= _attentionFactor;
                sin[j] *= _attentionFactor;
            }
    }

    void Load(long sequenceLength)
    {
        var (inv, factor) = RopeParameters.Compute(_config, sequenceLength);
        for (int j = 0; j < inv.Length; j++) _invFreq[j] = (float)inv[j];
        _attentionFactor = (float)factor;
        _key = _config.RopeScaling?.RopeType == "dynamic" ? Math.Max(sequenceLength, _original) : sequenceLength > _original ? 1 : 0;
    }

    /// <summary>Rotates one head <paramref name="x"/> (head_dim floats) in HF's rotate_half convention: j pairs with j + half.</summary>
    public static void Rotate(Span<float> x, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        int half = cos.Length;
        for (int j = 0; j < half; j++)
        {
            float x1 = x[j], x2 = x[j + half];
            x[j] = x1 * cos[j] + -x2 * sin[j];
            x[j + half] = x2 * cos[j] + x1 * sin[j];
        }
    }
}
