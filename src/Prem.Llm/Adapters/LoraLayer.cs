using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Prem.Llm.Adapters;

/// <summary>
/// LoRA on one linear layer, as PEFT's <c>lora.Linear</c> computes it: y = W x + s · B A dropout(x), with
/// A [r, in] and B [out, r] registered inside the base layer as <c>lora_A</c> and <c>lora_B</c> (so the
/// model's parameter names are <c>…q_proj.lora_A.weight</c>, PEFT's saved names less the prefix). The
/// adapter runs as a forward hook of the base layer, in the adapter's dtype (float32 over a bf16 base, as
/// PEFT's autocast_adapter_dtype), and its output is cast back to the base's dtype.
/// </summary>
internal sealed class LoraLayer
{
    private readonly AdapterSwitch _switch;
    private readonly double _dropout;
    private nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover? _hook;

    /// <summary>Adapts <paramref name="baseLayer"/> (module path <paramref name="path"/>).</summary>
    public LoraLayer(string path, Linear baseLayer, LoraConfig config, ScalarType dtype, Generator generator, AdapterSwitch adapterSwitch)
    {
        Path = path;
        Base = baseLayer;
        Scaling = config.Scaling;
        _dropout = config.Dropout;
        _switch = adapterSwitch;
        long inFeatures = baseLayer.weight.shape[1], outFeatures = baseLayer.weight.shape[0];
        var device = baseLayer.weight.device;
        // Kaiming-uniform with a = √5 (nn.Linear's default, PEFT's A): gain √(2/(1+5)), bound gain·√(3/fan_in) = 1/√fan_in.
        Tensor Uniform(long rows, long cols) { double b = 1 / Math.Sqrt(cols); return empty(rows, cols).uniform_(-b, b, generator); }
        using var a = config.Initialization == LoraInitialization.Gaussian
            ? empty(config.R, inFeatures).normal_(0, 1.0 / config.R, generator)
            : Uniform(config.R, inFeatures);
        using var b = config.Initialization == LoraInitialization.Random ? Uniform(outFeatures, config.R) : zeros(outFeatures, config.R);
        A = nn.Linear(new Parameter(a.to(dtype, device)), null);
        B = nn.Linear(new Parameter(b.to(dtype, device)), null);
        baseLayer.register_module("lora_A", A);
        baseLayer.register_module("lora_B", B);
        _hook = baseLayer.register_forward_hook(Hook);
    }

    /// <summary>The module path in the model (<c>model.layers.0.self_attn.q_proj</c>).</summary>
    public string Path { get; }

    /// <summary>The adapted layer.</summary>
    public Linear Base { get; }

    /// <summary>A [r, in].</summary>
    public Linear A { get; }

    /// <summary>B [out, r].</summary>
    public Linear B { get; }

    /// <summary>α/r or α/√r.</summary>
    public double Scaling { get; }

    /// <summary>True while s·BA is added into the base weight (the hook then adds nothing).</summary>
    public bool Merged { get; private set; }

    /// <summary>The adapter's term for input <paramref name="x"/> in the adapter's dtype: s · B A dropout(x).</summary>
    public Tensor Delta(Tensor x) => B.forward(Down(x));

    /// <summary>s · A dropout(x) [.., r], in the adapter's dtype (the rank-r side of <see cref="Delta"/>).</summary>
    public Tensor Down(Tensor x)
    {
        var h = x.dtype == A.weight.dtype ? x : x.to_type(A.weight.dtype);
        if (_dropout > 0 && Base.training) h = nn.functional.dropout(h, _dropout, training: true);
        return A.forward(h).mul(Scaling);
    }

    /// <summary>s · B A, [out, in], float32.</summary>
    public Tensor DeltaWeight()
    {
        using var noGrad = no_grad();
        return B.weight.to_type(ScalarType.Float32).matmul(A.weight.to_type(ScalarType.Float32)).mul_(Scaling);
    }

    /// <summary>Adds s·BA into the base weight.</summary>
    public void Merge()
    {
        if (Merged) return;
        AddDelta(1);
        Merged = true;
    }

    /// <summary>Subtracts s·BA from the base weight again (exact up to rounding).</summary>
    public void Unmerge()
    {
        if (!Merged) return;
        AddDelta(-1);
        Merged = false;
    }

    private void AddDelta(double sign)
    {
        using var noGrad = no_grad();
        using var delta = DeltaWeight();
        using var w = Base.weight.to_type(ScalarType.Float32).add_(delta, sign);
        Base.weight.copy_(w);
    }

    // TorchSharp keeps the layer's own output when a hook returns null.
    private Tensor Hook(nn.Module<Tensor, Tensor> module, Tensor input, Tensor output)
    {
        if (!_switch.Enabled || Merged) return null!;
        var delta = Delta(input);
        return output.add(delta.dtype == output.dtype ? delta : delta.to_type(output.dtype));
    }

    /// <summary>Removes the hook and the registered A and B from the base layer, and frees them.</summary>
    public void Remove()
    {
        _hook?.remove();
        _hook = null;
        Base.register_module("lora_A", null!);
        Base.register_module("lora_B", null!);
        A.Dispose();
        B.Dispose();
    }
}
