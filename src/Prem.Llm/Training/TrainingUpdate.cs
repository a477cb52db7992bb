namespace Prem.Llm.Training;

/// <summary>A progress report for host apps (<c>IProgress&lt;TrainingUpdate&gt;</c>).</summary>
public sealed record TrainingUpdate
{
    /// <summary>What happened.</summary>
    public required TrainingUpdateKind Kind { get; init; }
    /// <summary>Optimizer steps completed.</summary>
    public required long Step { get; init; }
    /// <summary>Optimizer steps of the whole run.</summary>
    public required long TotalSteps { get; init; }
    /// <summary>The current epoch, 0-based.</summary>
    public int Epoch { get; init; }
    /// <summary>Training loss of the step (per unit), or validation loss for <see cref="TrainingUpdateKind.Validation"/>.</summary>
    public double Loss { get; init; }
    /// <summary>Learning rate used by the step.</summary>
    public double LearningRate { get; init; }
    /// <summary>Global gradient norm before clipping.</summary>
    public double GradientNorm { get; init; }
    /// <summary>Tokens per second since the run (or resume) started.</summary>
    public double TokensPerSecond { get; init; }
    /// <summary>Wall time since the run (or resume) started.</summary>
    public TimeSpan Elapsed { get; init; }
    /// <summary>Estimated time left, from the mean step time.</summary>
    public TimeSpan? Remaining { get; init; }
    /// <summary>The objective's metrics (per-unit means), or <c>loss</c>/<c>perplexity</c> of a validation.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    /// <summary>Steps skipped so far.</summary>
    public int SkippedSteps { get; init; }
    /// <summary>The checkpoint folder for <see cref="TrainingUpdateKind.Checkpoint"/>.</summary>
    public string? Path { get; init; }
}
