namespace Prem.Llm.Objectives;

/// <summary>DPO loss variants, named and defined as in TRL's <c>DPOTrainer</c> (<c>loss_type</c>).</summary>
public enum DpoLossType
{
    /// <summary>−log σ(βh)(1−ε) − log σ(−βh)ε: the original DPO loss (conservative with ε &gt; 0).</summary>
    Sigmoid,
    /// <summary>(−log σ(βh)(1−ε) + log σ(−βh)ε) / (1−2ε): robust DPO, unbiased under label noise ε.</summary>
    Robust,
    /// <summary>max(0, 1 − βh): the SLiC hinge loss.</summary>
    Hinge,
    /// <summary>(h − 1/(2β))² with length-averaged log-probs: IPO.</summary>
    Ipo,
}
