using Prem.Llm.Training;

namespace Prem.Llm.Tests.Training;

/// <summary>The run folder checks a host makes before loading anything (the trainer applies the same rules when it starts).</summary>
public class RunFolderTests
{
    [Fact]
    public void A_folder_is_used_when_it_has_checkpoints_or_metrics_rows()
    {
        string dir = TrainingFixtures.TempDir();
        Assert.False(RunFolder.IsUsed(Path.Combine(dir, "missing")));
        Assert.False(RunFolder.IsUsed(dir));
        File.WriteAllText(Path.Combine(dir, "metrics.jsonl"), "");
        Assert.False(RunFolder.IsUsed(dir));
        // The hidden temporary folder of a killed save is not a checkpoint.
        Directory.CreateDirectory(Path.Combine(dir, "checkpoints", ".step-00000002.0123.tmp"));
        Assert.False(RunFolder.IsUsed(dir));
        Directory.CreateDirectory(Path.Combine(dir, "checkpoints", "step-00000002"));
        Assert.True(RunFolder.IsUsed(dir));

        string other = TrainingFixtures.TempDir();
        File.WriteAllText(Path.Combine(other, "metrics.jsonl"), "{\"step\":1}\n");
        Assert.True(RunFolder.IsUsed(other));
    }

    [Fact]
    public void A_used_folder_is_refused_unless_the_run_resumes_or_overwrites_and_nothing_is_deleted()
    {
        string dir = TrainingFixtures.TempDir();
        string metrics = Path.Combine(dir, "metrics.jsonl");
        File.WriteAllText(metrics, "{\"step\":1}\n");
        var e = Assert.Throws<TrainingException>(() => RunFolder.Check(new CheckpointOptions { OutputDir = dir }));
        Assert.StartsWith($"{dir}: this run folder already holds a run (metrics.jsonl or checkpoints)", e.Message);
        Assert.Contains("--overwrite", e.Message);
        RunFolder.Check(new CheckpointOptions { OutputDir = dir, Overwrite = true });
        RunFolder.Check(new CheckpointOptions { OutputDir = dir, ResumeFrom = "auto" });
        Assert.True(File.Exists(metrics));
        Assert.Equal([metrics], Directory.GetFileSystemEntries(dir));   // the write probe is gone too
    }

    [Fact]
    public void A_missing_folder_is_proved_writable_without_leaving_it_behind_and_an_unwritable_one_is_refused()
    {
        string root = TrainingFixtures.TempDir();
        RunFolder.Check(new CheckpointOptions { OutputDir = Path.Combine(root, "a", "run") });
        Assert.Empty(Directory.GetFileSystemEntries(root));

        // A regular file where a folder should be: no user (root included) can create the folder.
        string file = Path.Combine(TrainingFixtures.TempDir(), "file");
        File.WriteAllText(file, "x");
        var e = Assert.Throws<TrainingException>(() => RunFolder.Check(new CheckpointOptions { OutputDir = Path.Combine(file, "run") }));
        Assert.StartsWith($"{Path.Combine(file, "run")}: cannot write the run folder: ", e.Message);
        RunFolder.Check(new CheckpointOptions());   // no output folder: nothing to check
    }

    [Fact]
    public void Resuming_latest_needs_a_checkpoint_and_auto_does_not()
    {
        string dir = TrainingFixtures.TempDir();
        var e = Assert.Throws<TrainingException>(() => RunFolder.Check(new CheckpointOptions { OutputDir = dir, ResumeFrom = "latest" }));
        Assert.Equal($"{Path.Combine(dir, "checkpoints")}: no checkpoint to resume from", e.Message);
        var named = Assert.Throws<TrainingException>(() => RunFolder.Check(new CheckpointOptions { OutputDir = dir, ResumeFrom = Path.Combine(dir, "nope") }));
        Assert.Contains("not a training checkpoint", named.Message);
        RunFolder.Check(new CheckpointOptions { OutputDir = dir, ResumeFrom = "auto" });
    }
}
