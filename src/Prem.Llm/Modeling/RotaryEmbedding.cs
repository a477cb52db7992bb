using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Modeling;

/// <summary>
/// Rotary position embedding in HF's rotate_half convention: dimension j pairs with j + headDim/2.
/// cos/sin are computed in float32 from per-token positions, scaled by the scaling type's attention
/// factor, and cast to the activations' dtype (as HF does).
/// </summary>
public sealed class RotaryEmbedding
{
    readonly LlamaConfig config;
    readonly bool dependsOnLength;
    readonly (double[] InvFreq, double AttentionFactor) fixedParameters;

    /// <summary>Creates the embedding for <paramref name="config"/>'s head size, base and scaling.</summary>
    public RotaryEmbedding(LlamaConfig config)
    {
        this.config = config;
        dependsOnLength = config.RopeScaling?.RopeType is "dynamic" or "longrope";
        fixedParameters = RopeParameters.Compute(config);
    }

    /// <summary>
    /// cos and sin, each [batch, seq, headDim], for <paramref name="positions"/> [batch, seq] (int64).
    /// </summary>
    public (Tensor Cos, Tensor Sin) Forward(Tensor positions, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var (invFreq, attentionFactor) = dependsOnLength
            ? RopeParameters.Compute(config, positions.max().item<long>() + 1)
            : fixedParameters;
        var inv = tensor(invFreq.Select(f => (float)f).ToArray(), device: positions.device);
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
