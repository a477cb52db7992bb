using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Prem.Llm.Modeling;

/// <summary>The Llama feed-forward block: down(silu(gate(x)) · up(x)).</summary>
public sealed class SwiGluMlp : nn.Module<Tensor, Tensor>
{
    // State-dict names are HF's (ComponentName), not the fields'.
    [TorchSharp.Utils.ComponentName(Name = "gate_proj")]
    private readonly Linear _gate_proj;
    [TorchSharp.Utils.ComponentName(Name = "up_proj")]
    private readonly Linear _up_proj;
    [TorchSharp.Utils.ComponentName(Name = "down_proj")]
    private readonly Linear _down_proj;

    /// <summary>Creates the block for <paramref name="config"/>.</summary>
    public SwiGluMlp(LlamaConfig config, ScalarType? dtype = null, Device? device = null) : base(nameof(SwiGluMlp))
    {
        _gate_proj = WeightInit.Linear(config.HiddenSize, config.IntermediateSize, config.MlpBias, device, dtype);
        _up_proj = WeightInit.Linear(config.HiddenSize, config.IntermediateSize, config.MlpBias, device, dtype);
        _down_proj = WeightInit.Linear(config.IntermediateSize, config.HiddenSize, config.MlpBias, device, dtype);
        RegisterComponents();
    }

    /// <summary>[batch, seq, hidden] → [batch, seq, hidden].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        // call, not forward: the layers' forward hooks (LoRA adapters) run.
        var hidden = nn.functional.silu(_gate_proj.call(input)).mul(_up_proj.call(input));
        return _down_proj.call(hidden).MoveToOuterDisposeScope();
    }
}
