using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Objectives;

/// <summary>
/// The per-pair DPO losses. With policy log-probs πc, πr and reference log-probs ρc, ρr of the
/// chosen and rejected responses, h = (πc − πr) − (ρc − ρr); the rewards are β(πc − ρc) and β(πr − ρr).
/// </summary>
internal static class DpoLoss
{
    /// <summary>Per-pair losses [pairs] for <paramref name="type"/>.</summary>
    /// <param name="type">The variant.</param>
    /// <param name="policyChosen">πc [pairs].</param>
    /// <param name="policyRejected">πr [pairs].</param>
    /// <param name="referenceChosen">ρc [pairs].</param>
    /// <param name="referenceRejected">ρr [pairs].</param>
    /// <param name="beta">β &gt; 0.</param>
    /// <param name="labelSmoothing">ε in [0, 0.5) for sigmoid and robust.</param>
    public static Tensor Compute(DpoLossType type, Tensor policyChosen, Tensor policyRejected,
        Tensor referenceChosen, Tensor referenceRejected, double beta, double labelSmoothing = 0)
    {
        if (!(beta > 0)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be positive.");
        if (!(labelSmoothing >= 0 && labelSmoothing < 0.5))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "label smoothing must be in [0, 0.5).");
        using var scope = NewDisposeScope();
        var h = policyChosen.sub(policyRejected).sub(referenceChosen.sub(referenceRejected));
        var bh = h.mul(beta);
        var logSigPos = nn.functional.logsigmoid(bh);
        var logSigNeg = nn.functional.logsigmoid(bh.neg());
        var losses = type switch
        {
            DpoLossType.Sigmoid => logSigPos.mul(-(1 - labelSmoothing)).sub(logSigNeg.mul(labelSmoothing)),
            DpoLossType.Robust => logSigPos.mul(-(1 - labelSmoothing)).add(logSigNeg.mul(labelSmoothing)).div(1 - 2 * labelSmoothing),
            DpoLossType.Hinge => bh.neg().add(1).relu(),
            DpoLossType.Ipo => h.sub(1 / (2 * beta)).square(),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown DPO loss type."),
        };
        return losses.MoveToOuterDisposeScope();
    }

    /// <summary>Parses TRL's <c>loss_type</c> names ("sigmoid", "robust", "hinge", "ipo").</summary>
    public static DpoLossType Parse(string name) => name switch
    {
        "sigmoid" => DpoLossType.Sigmoid,
        "robust" => DpoLossType.Robust,
        "hinge" => DpoLossType.Hinge,
        "ipo" => DpoLossType.Ipo,
        _ => throw new ArgumentException($"Unknown DPO loss_type '{name}'; expected sigmoid, robust, hinge or ipo.", nameof(name)),
    };
}
