using Prem.Llm.Adapters;
using Prem.Llm.Data;
using Prem.Llm.Modeling;
using static TorchSharp.torch;

namespace Prem.Llm.Objectives;

/// <summary>
/// DPO's reference for a LoRA policy: the policy itself with its adapters switched off, under no_grad —
/// the frozen base model, with no second copy in memory and no cached pass (PEFT/TRL's
/// <c>ref_model=None</c> with a PEFT model). Used inside <see cref="DpoObjective"/> it runs on the model the
/// objective computes with (the trainer's bf16 working copy under bf16-mixed), whose adapters share the switch.
/// </summary>
public sealed class AdapterReferenceLogProbs : IReferenceLogProbs
{
    private readonly LlamaForCausalLM _model;

    /// <summary>Uses <paramref name="model"/>, which must have LoRA adapters attached (<see cref="LoraModel"/>).</summary>
    /// <exception cref="ArgumentException">The model has no adapters.</exception>
    public AdapterReferenceLogProbs(LlamaForCausalLM model)
    {
        this._model = model ?? throw new ArgumentNullException(nameof(model));
        if (LoraModel.Of(model) is null)
            throw new ArgumentException("The model has no LoRA adapters: attach them (LoraModel.Apply or Load) before using it as its own reference.", nameof(model));
    }

    /// <inheritdoc />
    public (Tensor ChosenSums, Tensor ChosenCounts, Tensor RejectedSums, Tensor RejectedCounts) Get(PreferenceBatch batch) => Get(_model, batch);

    /// <summary>The reference log-probs computed on <paramref name="model"/> (the policy being trained) with its adapters off.</summary>
    internal (Tensor ChosenSums, Tensor ChosenCounts, Tensor RejectedSums, Tensor RejectedCounts) Get(LlamaForCausalLM model, PreferenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var lora = LoraModel.Of(model) ?? LoraModel.Of(_model)
            ?? throw new InvalidOperationException("The model's LoRA adapters were removed.");
        using var noGrad = no_grad();
        using var off = lora.Disable();
        var (cs, cc) = SequenceLogProbs.Compute(model, batch.Chosen);
        var (rs, rc) = SequenceLogProbs.Compute(model, batch.Rejected);
        return (cs, cc, rs, rc);
    }
}
