namespace Prem.Llm.Data.Prepare;

/// <summary>Progress of a preparation, reported after every chunk.</summary>
/// <param name="Records">Input records read so far (resumed ones included).</param>
/// <param name="Documents">Documents kept so far, both splits.</param>
/// <param name="Tokens">Tokens written so far, both splits.</param>
/// <param name="InputBytes">UTF-8 bytes of input records processed so far.</param>
/// <param name="Chunks">Chunks completed so far.</param>
/// <param name="ResumedChunks">Chunks taken over from an interrupted earlier run.</param>
public readonly record struct PrepareProgress(long Records, long Documents, long Tokens, long InputBytes, long Chunks, long ResumedChunks);
