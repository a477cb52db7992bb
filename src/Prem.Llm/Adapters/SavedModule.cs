using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Prem.Llm.Adapters;

/// <summary>
/// One of PEFT's <c>modules_to_save</c>: a full trainable copy of the token embedding or the output head,
/// registered inside the original module as <c>modules_to_save.weight</c> and used in its place (through a
/// forward hook) while the adapters are enabled. The original stays frozen and is what a disabled adapter
/// — the DPO reference — sees, as with PEFT's <c>ModulesToSaveWrapper</c>. A tied head keeps reading the
/// original embedding, as it does under PEFT.
/// </summary>
internal sealed class SavedModule
{
    private readonly AdapterSwitch _switch;
    private readonly bool _embedding;
    private readonly Holder _holder;
    private nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover? _hook;

    /// <summary>Copies <paramref name="original"/>, the weight of <paramref name="module"/> at <paramref name="path"/>.</summary>
    public SavedModule(string path, nn.Module<Tensor, Tensor> module, Tensor original, ScalarType dtype, AdapterSwitch adapterSwitch)
    {
        Path = path;
        Module = module;
        _switch = adapterSwitch;
        _embedding = module is Embedding;
        using (no_grad()) Weight = new Parameter(original.detach().to_type(dtype).clone());
        _holder = new Holder(Weight);
        module.register_module("modules_to_save", _holder);
        _hook = module.register_forward_hook(Hook);
    }

    /// <summary>The module path in the model (<c>model.embed_tokens</c>, <c>lm_head</c>).</summary>
    public string Path { get; }

    /// <summary>The original module.</summary>
    public nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>The trained copy of the weight.</summary>
    public Parameter Weight { get; }

    // TorchSharp keeps the module's own output when a hook returns null.
    private Tensor Hook(nn.Module<Tensor, Tensor> module, Tensor input, Tensor output)
    {
        if (!_switch.Enabled) return null!;
        var result = _embedding
            ? Weight.index_select(0, input.reshape(-1)).reshape([.. input.shape, Weight.shape[1]])
            : nn.functional.linear(input.dtype == Weight.dtype ? input : input.to_type(Weight.dtype), Weight);
        return result.dtype == output.dtype ? result : result.to_type(output.dtype);
    }

    /// <summary>Removes the hook and the copy.</summary>
    public void Remove()
    {
        _hook?.remove();
        _hook = null;
        Module.register_module("modules_to_save", null!);
        _holder.Dispose();
    }

    private sealed class Holder : nn.Module
    {
        public Holder(Parameter weight) : base("ModulesToSave") => register_parameter("weight", weight);
    }
}
