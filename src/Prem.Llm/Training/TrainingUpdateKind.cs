namespace Prem.Llm.Training;

/// <summary>What a <see cref="TrainingUpdate"/> reports.</summary>
public enum TrainingUpdateKind
{
    /// <summary>A logged optimizer step.</summary>
    Step,
    /// <summary>A step skipped for a non-finite loss or gradient.</summary>
    SkippedStep,
    /// <summary>A validation pass.</summary>
    Validation,
    /// <summary>A checkpoint was written (<see cref="TrainingUpdate.Path"/>).</summary>
    Checkpoint,
    /// <summary>The run ended.</summary>
    Finished,
}
