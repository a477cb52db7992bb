namespace Prem.Llm.Evaluation;

/// <summary>Options of an <see cref="EvalRunner"/> run.</summary>
public sealed record EvalOptions
{
    /// <summary>At most this many documents per leaf task (each MMLU subject is a leaf task, as in lm-eval); null for all.</summary>
    public int? Limit { get; init; }

    /// <summary>With <see cref="Limit"/>: a seed for a random (deterministic) subset instead of the first N documents.</summary>
    public ulong? SampleSeed { get; init; }

    /// <summary>Whether encoding adds BOS (the tokenizer's default special tokens; true for Llama).</summary>
    public bool AddBos { get; init; } = true;

    /// <summary>When set, every request is written to this JSONL file (context, continuation, ids, loglik, is_greedy).</summary>
    public string? DumpPath { get; init; }

    /// <summary>Receives progress after each scored batch.</summary>
    public IProgress<EvalProgress>? Progress { get; init; }
}
