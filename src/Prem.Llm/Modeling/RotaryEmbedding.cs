using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Modeling;

/// <summary>
/// Rotary position embedding in HF's rotate_half convention: dimension j pairs with j + headDim/2.
/// cos/sin are computed in float32 from per-token positions, scaled by the scaling type's attention
/// factor, and cast to the activations' dtype (as HF does).
/// <para>
/// The inverse frequencies of a fixed scaling are uploaded once per device and kept: a float32
/// tensor that is no parameter or buffer of any module, so it is never in <c>state_dict</c> (HF's
/// <c>rotary_emb.inv_freq</c> is non-persistent too) and never converted to bf16 by <c>module.to</c>.
/// It follows the positions' device instead of relying on <c>module.to</c>, which does not move
/// non-persistent buffers in TorchSharp. Scalings that depend on the sequence length ("dynamic",
/// "longrope") compute them per call.
/// </para>
/// </summary>
public sealed class RotaryEmbedding : IDisposable
{
    readonly LlamaConfig _config;
    readonly bool _dependsOnLength;
    readonly (double[] InvFreq, double AttentionFactor) _fixedParameters;
    private readonly Lock _gate = new();
    private Tensor? _invFreq;

    /// <summary>Creates the embedding for <paramref name="config"/>'s head size, base and scaling.</summary>
    public RotaryEmbedding(LlamaConfig config)
    {
        this._config = config;
        _dependsOnLength = config.RopeScaling?.RopeType is "dynamic" or "longrope";
        _fixedParameters = RopeParameters.Compute(config);
    }

    /// <summary>
    /// cos and sin, each [batch, seq, headDim], for <paramref name="positions"/> [batch, seq] (int64).
    /// </summary>
    public (Tensor Cos, Tensor Sin) Forward(Tensor positions, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var (invFreq, attentionFactor) = _dependsOnLength
            ? RopeParameters.Compute(_config, positions.max().item<long>() + 1)
            : _fixedParameters;
        var inv = _dependsOnLength ? Upload(invFreq, positions.device) : FixedInvFreq(positions.device);
        var freqs = positions.to_type(ScalarType.Float32).unsqueeze(-1).mul(inv);
        var emb = cat([freqs, freqs], -1);
        var cos = emb.cos();
        var sin = emb.sin();
        if (attentionFactor != 1.0)
        {
            cos = cos.mul(attentionFactor);
            sin = sin.mul(attentionFactor);
        }
        return (cos.to_type(dtype).MoveToOuterDisposeScope(), sin.to_type(dtype).MoveToOuterDisposeScope());
    }

    /// <summary>The fixed inverse frequencies, float32 [headDim/2], on <paramref name="device"/> (uploaded on first use there).</summary>
    private Tensor FixedInvFreq(Device device)
    {
        lock (_gate)
        {
            if (_invFreq is null || _invFreq.device_type != device.type || _invFreq.device_index != device.index)
            {
                var previous = _invFreq;
                _invFreq = Upload(_fixedParameters.InvFreq, device).DetachFromDisposeScope();
                previous?.Dispose();
            }
            return _invFreq;
        }
    }

    private static Tensor Upload(double[] invFreq, Device device) => tensor(invFreq.Select(f => (float)f).ToArray(), device: device);

    /// <summary>Frees the kept inverse-frequency tensor.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _invFreq?.Dispose();
            _invFreq = null;
        }
    }

    /// <summary>Rotates <paramref name="x"/> [batch, heads, seq, headDim] by cos/sin [batch, seq, headDim].</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        long half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        var rotated = cat([x2.neg(), x1], -1);
        var result = x.mul(cos.unsqueeze(1)).add(rotated.mul(sin.unsqueeze(1)));
        return result.MoveToOuterDisposeScope();
    }
}
