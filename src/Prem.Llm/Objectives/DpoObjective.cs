using Prem.Llm.Data;
using Prem.Llm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Objectives;

/// <summary>
/// Direct Preference Optimization with TRL's semantics. Units are preference pairs, so the step's
/// loss is the mean over the pairs of the accumulated batch. Sequence log-probs are sums over the
/// response tokens (labels ≠ −100), averaged over them for IPO as TRL does. Metrics (per pair):
/// <c>rewards/chosen</c>, <c>rewards/rejected</c>, <c>rewards/accuracies</c>, <c>rewards/margins</c>,
/// <c>logps/chosen</c>, <c>logps/rejected</c>, and <c>loss</c>.
/// </summary>
public sealed class DpoObjective : IObjective
{
    private readonly IReferenceLogProbs _reference;

    /// <summary>Creates the objective.</summary>
    /// <param name="reference">A live frozen model (<see cref="ModelReferenceLogProbs"/>), a precomputed cache (<see cref="CachedReferenceLogProbs"/>),
    /// or, for a LoRA policy, the policy with its adapters off (<see cref="AdapterReferenceLogProbs"/>).</param>
    /// <param name="beta">β, the Prem-1B recipe's 0.01 by default.</param>
    /// <param name="lossType">The loss variant, the Prem-1B recipe's sigmoid by default.</param>
    /// <param name="labelSmoothing">ε for sigmoid and robust, in [0, 0.5).</param>
    public DpoObjective(IReferenceLogProbs reference, double beta = 0.01, DpoLossType lossType = DpoLossType.Sigmoid, double labelSmoothing = 0)
    {
        this._reference = reference ?? throw new ArgumentNullException(nameof(reference));
        if (!(beta > 0)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be positive.");
        if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "label smoothing must be in [0, 0.5).");
        Beta = beta;
        LossType = lossType;
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>β.</summary>
    public double Beta { get; }

    /// <summary>The loss variant.</summary>
    public DpoLossType LossType { get; }

    /// <summary>ε.</summary>
    public double LabelSmoothing { get; }

    /// <inheritdoc />
    public string Name => "dpo";

    /// <summary><see cref="PreferenceBatch"/>.</summary>
    public Type BatchType => typeof(PreferenceBatch);

    /// <inheritdoc />
    public long CountUnits(TrainingBatch batch) => ObjectiveBatches.Expect<PreferenceBatch>(batch, nameof(DpoObjective)).PairCount;

    /// <inheritdoc />
    public ObjectiveResult Compute(LlamaForCausalLM model, TrainingBatch batch, long totalUnits)
    {
        var pairs = ObjectiveBatches.Expect<PreferenceBatch>(batch, nameof(DpoObjective));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalUnits);
        using var scope = NewDisposeScope();
        var (pcSum, pcCount) = SequenceLogProbs.Compute(model, pairs.Chosen);
        var (prSum, prCount) = SequenceLogProbs.Compute(model, pairs.Rejected);
        // A LoRA policy is its own reference: the model computed with here, adapters off.
        var (rcSum, rcCount, rrSum, rrCount) = _reference is AdapterReferenceLogProbs adapters ? adapters.Get(model, pairs) : _reference.Get(pairs);
        bool average = LossType == DpoLossType.Ipo;
        var pc = average ? pcSum.div(pcCount.clamp_min(1)) : pcSum;
        var pr = average ? prSum.div(prCount.clamp_min(1)) : prSum;
        var rc = average ? rcSum.div(rcCount.clamp_min(1)) : rcSum;
        var rr = average ? rrSum.div(rrCount.clamp_min(1)) : rrSum;

        var losses = DpoLoss.Compute(LossType, pc, pr, rc, rr, Beta, LabelSmoothing);
        var loss = losses.sum().div(totalUnits);
        using var noGrad = no_grad();
        var chosenRewards = pc.sub(rc).mul(Beta);
        var rejectedRewards = pr.sub(rr).mul(Beta);
        var metrics = new Dictionary<string, double>
        {
            ["loss"] = losses.sum().item<float>(),
            ["rewards/chosen"] = chosenRewards.sum().item<float>(),
            ["rewards/rejected"] = rejectedRewards.sum().item<float>(),
            ["rewards/accuracies"] = chosenRewards.gt(rejectedRewards).sum().item<long>(),
            ["rewards/margins"] = chosenRewards.sub(rejectedRewards).sum().item<float>(),
            ["logps/chosen"] = pc.sum().item<float>(),
            ["logps/rejected"] = pr.sum().item<float>(),
        };
        return new ObjectiveResult(loss.MoveToOuterDisposeScope(), metrics);
    }
}
