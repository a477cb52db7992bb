namespace Prem.Llm.Distributed;

/// <summary>The element-wise reduction of an all-reduce.</summary>
public enum ReduceOp
{
    /// <summary>Sum over ranks (divide by the world size for the mean).</summary>
    Sum,

    /// <summary>Maximum over ranks.</summary>
    Max,

    /// <summary>Minimum over ranks.</summary>
    Min,
}
