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
    /// <summary>A checkpoint folder, or "latest" for the newest in the output folder; null starts fresh.</summary>
    public string? ResumeFrom { get; init; }
    /// <summary>Write the final model as an HF folder (<c>OutputDir/final</c>) when an output folder is set.</summary>
    public bool ExportFinalModel { get; init; } = true;
    /// <summary>A tokenizer folder (or a single tokenizer file) whose tokenizer files are copied next to the exported model; null copies none.</summary>
    public string? TokenizerDirectory { get; init; }
    /// <summary>Weight dtype of the exported model; null keeps the training dtype.</summary>
    public ScalarType? ExportDtype { get; init; }
}
