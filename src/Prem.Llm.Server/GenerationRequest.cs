using Prem.Llm.Generation;

namespace Prem.Llm.Server;

/// <summary>A checked completion request: prompt ids, sampling, text stop sequences and how to answer.</summary>
internal sealed record GenerationRequest(int[] Prompt, SamplingOptions Sampling, IReadOnlyList<string> Stop, bool Stream, bool IncludeUsage);
