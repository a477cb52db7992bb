using static TorchSharp.torch;

namespace Prem.Llm.Training;

/// <summary>
/// What a run writes: its folder, checkpoints, resuming, and the final model export
/// (<c>OutputDir/final</c>: an HF model folder with the tokenizer files, see <see cref="Trainer.ExportModel"/>).
/// </summary>
public sealed record CheckpointOptions
{
    /// <summary>Run folder for checkpoints, metrics.jsonl, the curve PNG and the final model; null writes nothing.</summary>
    public string? OutputDir { get; init; }
    /// <summary>Save a checkpoint every this many steps; null saves only at the end (when an output folder is set).</summary>
    public int? SaveEveryNSteps { get; init; }
    /// <summary>Checkpoints kept; older ones are deleted after each successful save.</summary>
    public int KeepLastCheckpoints { get; init; } = 3;
    /// <summary>
    /// A checkpoint folder; "latest" for the newest in the output folder (an error when there is none); "auto" for the
    /// newest when there is one and a fresh start otherwise (restart scripts need no logic); null starts fresh.
    /// </summary>
    public string? ResumeFrom { get; init; }
    /// <summary>
    /// Lets a run that does not resume start in an output folder an earlier run used (metrics.jsonl or checkpoints),
    /// deleting that run's checkpoints, metrics and final model; false refuses such a folder.
    /// </summary>
    public bool Overwrite { get; init; }

    /// <summary>The <see cref="ResumeFrom"/> value that resumes when a checkpoint exists and starts fresh otherwise.</summary>
    internal const string ResumeAuto = "auto";
    /// <summary>Write the final model as an HF folder (<c>OutputDir/final</c>) when an output folder is set.</summary>
    public bool ExportFinalModel { get; init; } = true;
    /// <summary>A tokenizer folder (or a single tokenizer file) whose tokenizer files are copied next to the exported model; null copies none.</summary>
    public string? TokenizerDirectory { get; init; }
    /// <summary>Weight dtype of the exported model; null keeps the training dtype.</summary>
    public ScalarType? ExportDtype { get; init; }
    /// <summary>
    /// For a LoRA model (whose final export is its PEFT adapter folder): also write the model with the adapters merged
    /// as a plain HF folder, <c>OutputDir/merged</c>.
    /// </summary>
    public bool ExportMergedModel { get; init; }
}
