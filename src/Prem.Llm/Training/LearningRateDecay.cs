namespace Prem.Llm.Training;

/// <summary>How the learning rate falls after warmup.</summary>
public enum LearningRateDecay
{
    /// <summary>Half a cosine from the peak to the minimum.</summary>
    Cosine,
    /// <summary>A straight line from the peak to the minimum.</summary>
    Linear,
    /// <summary>Stay at the peak.</summary>
    Constant,
}
