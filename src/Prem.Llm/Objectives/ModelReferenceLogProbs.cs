using Prem.Llm.Data;
using Prem.Llm.Modeling;
using static TorchSharp.torch;

namespace Prem.Llm.Objectives;

/// <summary>Reference log-probs from a frozen reference model held in memory, computed per batch.</summary>
public sealed class ModelReferenceLogProbs : IReferenceLogProbs
{
    private readonly LlamaForCausalLM _reference;

    /// <summary>Uses <paramref name="reference"/>, which is put in eval mode and never trained.</summary>
    public ModelReferenceLogProbs(LlamaForCausalLM reference)
    {
        this._reference = reference ?? throw new ArgumentNullException(nameof(reference));
        reference.eval();
    }

    /// <inheritdoc />
    public (Tensor ChosenSums, Tensor ChosenCounts, Tensor RejectedSums, Tensor RejectedCounts) Get(PreferenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        TokenIdCheck.Require(batch, _reference.Config.VocabSize, "reference log-probs batch" + (batch.ExampleIds is { Count: > 0 } e ? $" of examples {e[0]}…{e[^1]}" : ""),
            m => new ArgumentException(m, nameof(batch)));
        using var noGrad = no_grad();
        // The reference runs where it lives; the sums go back to the batch's device (the policy's).
        var onDevice = (PreferenceBatch)BatchDevice.To(batch, _reference.Device);
        try
        {
            var home = batch.Chosen.InputIds.device;
            var (cs, cc) = SequenceLogProbs.Compute(_reference, onDevice.Chosen);
            var (rs, rc) = SequenceLogProbs.Compute(_reference, onDevice.Rejected);
            return (cs.to(home), cc.to(home), rs.to(home), rc.to(home));
        }
        finally
        {
            if (!ReferenceEquals(onDevice, batch)) onDevice.Dispose();
        }
    }
}
