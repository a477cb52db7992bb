namespace Prem.Llm.AI;

/// <summary>Why a reply ended.</summary>
public enum ChatFinish
{
    /// <summary>The model produced a stop id (end of turn) or the text reached a stop sequence.</summary>
    Stop,

    /// <summary>The reply reached its token limit (the request's, or what the context window leaves).</summary>
    Length,
}
