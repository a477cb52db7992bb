using Prem.Llm.Data;
using static TorchSharp.torch;

namespace Prem.Llm.Objectives;

/// <summary>Where DPO gets the reference model's sequence log-probs of a preference batch.</summary>
public interface IReferenceLogProbs
{
    /// <summary>
    /// Summed log-probs and labelled-token counts of the chosen and rejected responses of
    /// <paramref name="batch"/>, each [pairs] float32, without autograd.
    /// </summary>
    (Tensor ChosenSums, Tensor ChosenCounts, Tensor RejectedSums, Tensor RejectedCounts) Get(PreferenceBatch batch);
}
