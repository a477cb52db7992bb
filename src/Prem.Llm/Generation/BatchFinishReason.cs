namespace Prem.Llm.Generation;

/// <summary>Why a <see cref="ContinuousBatcher"/> request ended.</summary>
public enum BatchFinishReason
{
    /// <summary>The request produced one of its stop ids (kept as its last token).</summary>
    Stop,

    /// <summary>The request produced its <see cref="SamplingOptions.MaxNewTokens"/> tokens.</summary>
    Length,

    /// <summary>The caller cancelled it, or the batcher shut down before it finished.</summary>
    Cancelled,
}
