using Prem.Llm.Data;
using Prem.Llm.Modeling;

namespace Prem.Llm.Objectives;

/// <summary>
/// What a trainer optimises: turns a micro-batch and the model into a loss and metrics. Everything
/// that distinguishes pretraining, SFT and DPO lives behind this interface.
/// </summary>
/// <remarks>
/// The normalisation rule: a step's loss is the mean over the <em>units</em> (trained tokens, or
/// preference pairs) of the whole accumulated batch, never a mean of per-micro-batch means. The
/// trainer first asks every micro-batch of the step for <see cref="CountUnits"/>, sums them, and
/// passes the sum to <see cref="Compute"/>, which returns (sum of the micro-batch's per-unit losses)
/// ÷ that total. The micro-batch losses of a step therefore add up to the step's loss and their
/// gradients to its gradient.
/// </remarks>
public interface IObjective
{
    /// <summary>A short name for logs ("causal_lm", "dpo").</summary>
    string Name { get; }

    /// <summary>
    /// The batch type the objective reads (<see cref="CausalLmBatch"/>, <see cref="PreferenceBatch"/>); other
    /// batches are refused with an error naming it.
    /// </summary>
    Type BatchType { get; }

    /// <summary>The number of units the loss averages over in <paramref name="batch"/> (≥ 0).</summary>
    long CountUnits(TrainingBatch batch);

    /// <summary>
    /// The micro-batch's loss contribution, normalised by <paramref name="totalUnits"/>, with the
    /// autograd graph when gradients are enabled, plus metric sums.
    /// </summary>
    /// <param name="model">The model in its compute dtype.</param>
    /// <param name="batch">The micro-batch.</param>
    /// <param name="totalUnits">Units of the whole accumulated batch (≥ 1).</param>
    ObjectiveResult Compute(LlamaForCausalLM model, TrainingBatch batch, long totalUnits);
}
