using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Prem.Llm.Modeling;

/// <summary>
/// Root-mean-square norm, HF's LlamaRMSNorm: statistics in float32, the normalised value cast back
/// to the input dtype, then scaled by <c>weight</c>.
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    // State-dict names are HF's (ComponentName), not the fields'.
    [TorchSharp.Utils.ComponentName(Name = "weight")]
    private readonly Parameter _weight;
    private readonly double _eps;

    /// <summary>A norm over the last dimension of width <paramref name="size"/>, weights set to one.</summary>
    public RmsNorm(long size, double eps, ScalarType? dtype = null, Device? device = null) : base(nameof(RmsNorm))
    {
        _weight = new Parameter(ones(size, dtype: dtype, device: device));
        this._eps = eps;
        RegisterComponents();
    }

    /// <summary>The learned scale, [size].</summary>
    public Parameter Weight => _weight;

    /// <summary>Normalises <paramref name="input"/> [..., size].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.to_type(ScalarType.Float32);
        var variance = x.square().mean([-1L], keepdim: true);
        var normed = x.mul(variance.add(_eps).rsqrt()).to_type(input.dtype);
        return _weight.mul(normed).MoveToOuterDisposeScope();
    }
}
