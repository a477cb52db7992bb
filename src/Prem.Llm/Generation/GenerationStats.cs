namespace Prem.Llm.Generation;

/// <summary>
/// Timings of one generation (<see cref="TextGenerator.LastStats"/>): the prompt pass with the first
/// token, then the decode steps. Only the generator's own work is timed, not the caller's between tokens.
/// </summary>
public sealed record GenerationStats
{
    /// <summary>Which path ran: "cpu-float32", "cpu-bfloat16", "cpu-int8" or "torchsharp".</summary>
    public required string Engine { get; init; }

    /// <summary>
    /// On the CPU engine, which kernels ran the matrix products: "avx512-bf16" (bf16 weights on a CPU with
    /// AVX512-BF16) or "avx512-vnni" (int8 weights on a CPU with AVX512-VNNI), where the package's native library
    /// was built; "avx-vnni" (int8 weights on a CPU with AVX-VNNI, in .NET); otherwise "managed"; null on TorchSharp.
    /// </summary>
    public string? CpuKernels { get; init; }

    /// <summary>Prompt tokens over all rows.</summary>
    public required int PromptTokens { get; init; }

    /// <summary>New tokens over all rows (stop ids included).</summary>
    public required int GeneratedTokens { get; init; }

    /// <summary>Tokens produced by the decode steps (all but the first step's).</summary>
    public required int DecodeTokens { get; init; }

    /// <summary>From the start to the first new token: the prompt pass (prefill) and one pick.</summary>
    public required TimeSpan TimeToFirstToken { get; init; }

    /// <summary>Time of the decode steps after the first token.</summary>
    public required TimeSpan DecodeTime { get; init; }

    /// <summary>Prompt tokens per second of the prompt pass.</summary>
    public double PrefillTokensPerSecond => TimeToFirstToken > TimeSpan.Zero ? PromptTokens / TimeToFirstToken.TotalSeconds : 0;

    /// <summary>New tokens per second after the first (all rows together).</summary>
    public double DecodeTokensPerSecond => DecodeTime > TimeSpan.Zero ? DecodeTokens / DecodeTime.TotalSeconds : 0;
}
