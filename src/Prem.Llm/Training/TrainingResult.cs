namespace Prem.Llm.Training;

/// <summary>What a run did.</summary>
/// <param name="Steps">Optimizer steps completed (including skipped ones).</param>
/// <param name="SkippedSteps">Steps skipped for a non-finite loss or gradient.</param>
/// <param name="Losses">The training loss of each step this call ran, in order.</param>
/// <param name="FinalValidation">The end-of-run validation, when a validation source was given.</param>
/// <param name="ExportDirectory">The exported HF model folder, when one was written.</param>
public sealed record TrainingResult(long Steps, int SkippedSteps, IReadOnlyList<double> Losses,
    ValidationResult? FinalValidation, string? ExportDirectory)
{
    /// <summary>True when <see cref="Trainer.RequestStop"/> ended the run before its last step (no final validation nor export then).</summary>
    public bool Stopped { get; init; }
    /// <summary>The last checkpoint this call wrote (the one to resume from), or null when it wrote none.</summary>
    public string? CheckpointDirectory { get; init; }
}
