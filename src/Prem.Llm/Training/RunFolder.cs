namespace Prem.Llm.Training;

/// <summary>
/// The rules for a run folder (<see cref="CheckpointOptions.OutputDir"/>) that the <see cref="Trainer"/> applies when it
/// starts. Hosts that load models and data first (the recipes) call <see cref="Check"/> before that work, so a folder
/// the run cannot use is refused in a moment instead of after minutes of loading.
/// </summary>
public static class RunFolder
{
    /// <summary>True when <paramref name="outputDir"/> holds an earlier run: checkpoints, or a non-empty <c>metrics.jsonl</c>.</summary>
    public static bool IsUsed(string outputDir)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputDir);
        string metrics = Path.Combine(outputDir, "metrics.jsonl");
        return new CheckpointStore(Path.Combine(outputDir, "checkpoints"), 1).List().Count > 0
            || (File.Exists(metrics) && new FileInfo(metrics).Length > 0);
    }

    /// <summary>
    /// Checks that a run with <paramref name="options"/> may write its folder: the folder is proved writable with a probe
    /// file (folders missing on the way are created for it and removed again, so nothing is left behind), a folder an earlier run used is refused unless the run resumes or
    /// <see cref="CheckpointOptions.Overwrite"/> is set, and the checkpoint <see cref="CheckpointOptions.ResumeFrom"/>
    /// names (other than "auto") must exist. Nothing is deleted here (the trainer clears an overwritten run).
    /// Does nothing without an output folder.
    /// </summary>
    /// <exception cref="TrainingException">The folder cannot be written, holds a run this one would mix with, or has no checkpoint to resume.</exception>
    public static void Check(CheckpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.OutputDir is not { } outputDir) return;
        ThrowIfReused(options, outputDir);
        if (options.ResumeFrom is { } resumeFrom && resumeFrom != CheckpointOptions.ResumeAuto)
            new CheckpointStore(Path.Combine(outputDir, "checkpoints"), 1).Resolve(resumeFrom);
        if (Data.WritableFolder.Problem(outputDir) is { } problem)
            throw new TrainingException($"cannot write the run folder: {problem}", outputDir);
    }

    /// <summary>Refuses <paramref name="outputDir"/> when it holds an earlier run and <paramref name="options"/> neither resume nor overwrite.</summary>
    internal static void ThrowIfReused(CheckpointOptions options, string outputDir)
    {
        if (options.ResumeFrom is null && !options.Overwrite && IsUsed(outputDir))
            throw new TrainingException("this run folder already holds a run (metrics.jsonl or checkpoints): resume it (resume_from: auto or latest), " +
                "choose another output folder, or start over with --overwrite (Checkpoint.Overwrite), which deletes its checkpoints, metrics and final model", outputDir);
    }
}
