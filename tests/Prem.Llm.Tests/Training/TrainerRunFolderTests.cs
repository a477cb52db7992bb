using System.Text.Json.Nodes;
using Prem.Llm.Objectives;
using Prem.Llm.Training;

namespace Prem.Llm.Tests.Training;

/// <summary>Stopping on request, resume_from: auto, stale temporary folders, metrics after a resume, reused run folders.</summary>
public class TrainerRunFolderTests
{
    static TrainerOptions Options(string dir, long steps, int? saveEvery = null) => new()
    {
        Optimizer = new() { LearningRate = 1e-2 },
        Schedule = new() { MaxSteps = steps, WarmupFraction = 0.1, MinLearningRate = 1e-3 },
        Precision = new() { Mode = TrainingPrecision.Float32 },
        Checkpoint = new() { OutputDir = dir, ExportFinalModel = false, SaveEveryNSteps = saveEvery, KeepLastCheckpoints = 10 },
        AccumulationSteps = 2,
    };

    static TrainingResult Train(TrainerOptions options, Action<Trainer, TrainingUpdate>? onUpdate = null, TextWriter? log = null)
    {
        using var model = TrainingFixtures.TinyModel(seed: 4);
        using var trainer = new Trainer(model, new CausalLmObjective(), TrainingFixtures.CountingSource(7), options) { Log = log };
        return trainer.Run(new Progress(u => onUpdate?.Invoke(trainer, u)));
    }

    sealed class Progress(Action<TrainingUpdate> action) : IProgress<TrainingUpdate>
    {
        public void Report(TrainingUpdate value) => action(value);
    }

    static List<long> MetricSteps(string dir) =>
        File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!["step"]!.GetValue<long>()).ToList();

    [Fact]
    public void A_stop_request_checkpoints_the_current_step_without_periodic_saving_and_auto_resumes_it_exactly()
    {
        var full = Train(Options(TrainingFixtures.TempDir(), 8));

        string dir = TrainingFixtures.TempDir();
        var stopped = Train(Options(dir, 8), (t, u) => { if (u.Kind == TrainingUpdateKind.Step && u.Step == 3) t.RequestStop(); });
        Assert.True(stopped.Stopped);
        Assert.Equal(3, stopped.Steps);
        Assert.Null(stopped.ExportDirectory);
        Assert.Equal(Path.Combine(dir, "checkpoints", "step-00000003"), stopped.CheckpointDirectory);
        Assert.True(File.Exists(Path.Combine(stopped.CheckpointDirectory!, "trainer_state.json")));

        var log = new StringWriter();
        var resumed = Train(Options(dir, 8) with { Checkpoint = Options(dir, 8).Checkpoint with { ResumeFrom = "auto" } }, log: log);
        Assert.False(resumed.Stopped);
        Assert.Equal(8, resumed.Steps);
        Assert.Equal(full.Losses.Skip(3), resumed.Losses);
        Assert.Contains("resuming from", log.ToString());
        Assert.Equal(new long[] { 1, 2, 3, 4, 5, 6, 7, 8 }, MetricSteps(dir));
    }

    [Fact]
    public void Resume_auto_without_a_checkpoint_starts_fresh()
    {
        string dir = TrainingFixtures.TempDir();
        var log = new StringWriter();
        var options = Options(dir, 4);
        var result = Train(options with { Checkpoint = options.Checkpoint with { ResumeFrom = "auto" } }, log: log);
        Assert.Equal(4, result.Steps);
        Assert.Equal(4, result.Losses.Count);
        Assert.Contains("found no checkpoint; starting a new run", log.ToString());
        Assert.Equal(new long[] { 1, 2, 3, 4 }, MetricSteps(dir));
    }

    [Fact]
    public void Resume_auto_needs_an_output_folder()
    {
        var options = Options(TrainingFixtures.TempDir(), 4);
        var e = Assert.Throws<TrainingException>(() => (options with { Checkpoint = new() { ResumeFrom = "auto" } }).Validate());
        Assert.Contains("\"auto\" needs a Checkpoint.OutputDir", e.Message);
    }

    [Fact]
    public void Temporary_folders_of_killed_saves_are_removed_at_start_and_logged()
    {
        string dir = TrainingFixtures.TempDir();
        string stale = Path.Combine(dir, "checkpoints", ".step-00000002.0123456789abcdef0123456789abcdef.tmp");
        Directory.CreateDirectory(stale);
        File.WriteAllText(Path.Combine(stale, "model.safetensors"), "partial");
        var log = new StringWriter();
        Train(Options(dir, 2), log: log);
        Assert.False(Directory.Exists(stale));
        Assert.Contains("removed 1 unfinished checkpoint folder left by an interrupted save: .step-00000002.", log.ToString());
        Assert.Empty(Directory.GetDirectories(Path.Combine(dir, "checkpoints"), ".*"));
    }

    [Fact]
    public void Resuming_an_earlier_checkpoint_truncates_the_metrics_to_it()
    {
        string dir = TrainingFixtures.TempDir();
        Train(Options(dir, 6, saveEvery: 2));
        Assert.Equal(new long[] { 1, 2, 3, 4, 5, 6 }, MetricSteps(dir));
        var options = Options(dir, 6, saveEvery: 2);
        Train(options with { Checkpoint = options.Checkpoint with { ResumeFrom = Path.Combine(dir, "checkpoints", "step-00000002") } });
        Assert.Equal(new long[] { 1, 2, 3, 4, 5, 6 }, MetricSteps(dir));
    }

    [Fact]
    public void A_used_run_folder_is_refused_without_resume_unless_overwrite_is_set()
    {
        string dir = TrainingFixtures.TempDir();
        Train(Options(dir, 4, saveEvery: 1));
        var e = Assert.Throws<TrainingException>(() => Train(Options(dir, 2)));
        Assert.Contains("already holds a run", e.Message);
        Assert.Contains("--overwrite", e.Message);
        Assert.Equal(new long[] { 1, 2, 3, 4 }, MetricSteps(dir));

        var options = Options(dir, 2);
        var result = Train(options with { Checkpoint = options.Checkpoint with { Overwrite = true } });
        Assert.Equal(2, result.Steps);
        Assert.Equal(new long[] { 1, 2 }, MetricSteps(dir));
        Assert.Equal(new[] { "step-00000002" }, Directory.GetDirectories(Path.Combine(dir, "checkpoints"), "step-*").Select(Path.GetFileName));
    }
}
