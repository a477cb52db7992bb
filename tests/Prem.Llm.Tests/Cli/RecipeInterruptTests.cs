using System.Diagnostics;
using System.Text.RegularExpressions;
using static Prem.Llm.Tests.Cli.RecipeTestData;

namespace Prem.Llm.Tests.Cli;

/// <summary>Ctrl-C (a real SIGINT to a child `prem` process), resume_from: auto and reused run folders through the CLI.</summary>
public class RecipeInterruptTests
{
    static string[] PretrainArgs(string corpus, string run, params string[] sets) =>
    [
        "pretrain", "--config", Config("tiny-pretrain.yaml"),
        "--set", $"data.train_path={corpus}", "--set", $"data.val_path={corpus}", "--set", $"data.dataset_tokenizer={Stories}",
        "--set", $"output_dir={run}", .. sets.SelectMany(s => new[] { "--set", s }),
    ];

    [Fact]
    public async Task The_first_sigint_stops_after_the_step_with_a_checkpoint_and_the_printed_resume_continues()
    {
        string dir = TestData.TempDirectory();
        string corpus = PreparedCorpus(dir), run = Path.Combine(dir, "run");
        // Many epochs so the run is still going when the signal arrives; no periodic checkpoint before it.
        string[] args = PretrainArgs(corpus, run, "trainer.max_epochs=100000", "trainer.max_steps=1000000", "trainer.save_every_n_steps=1000000");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "prem.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = new System.Text.StringBuilder();
        var sawStep = new ManualResetEventSlim();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stdout) stdout.AppendLine(e.Data);
            if (e.Data.StartsWith("step 2/", StringComparison.Ordinal)) sawStep.Set();
        };
        process.BeginOutputReadLine();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            Assert.True(sawStep.Wait(TimeSpan.FromSeconds(120)), $"no step 2 within 120 s: {stdout}");
            using (var kill = Process.Start("kill", ["-INT", process.Id.ToString()])) kill.WaitForExit();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "the run did not stop within 60 s of SIGINT");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        process.WaitForExit();
        string output = stdout.ToString(), err = await stderr;
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{output}\n{err}");
        Assert.Contains("SIGINT received: stopping after the current step", err);
        var stopped = Regex.Match(output, @"stopped at step (\d+); checkpoint in (\S+)");
        Assert.True(stopped.Success, output);
        long step = long.Parse(stopped.Groups[1].Value);
        Assert.True(File.Exists(Path.Combine(stopped.Groups[2].Value, "trainer_state.json")));
        Assert.Equal(Path.Combine(run, "checkpoints", $"step-{step:D8}"), stopped.Groups[2].Value);
        Assert.Contains("resume with: prem pretrain --config ", output);
        Assert.Contains("--set resume_from=latest", output);
        Assert.False(Directory.Exists(Path.Combine(run, "final")));

        // Resume (auto) for two more steps: it continues after the checkpoint's step.
        var (exit, resumed, err2) = CliRun.Prem(PretrainArgs(corpus, run, "trainer.max_epochs=100000", $"trainer.max_steps={step + 2}", "resume_from=auto"));
        Assert.True(exit == 0, err2);
        Assert.Contains($"step {step + 1}/{step + 2} | loss", resumed);
        Assert.DoesNotContain($"step {step}/{step + 2} | loss", resumed);
        Assert.Contains($"done: {step + 2} steps", resumed);
        var steps = StepLines(run).Select(s => (long)s["step"]!).ToList();
        Assert.Equal(Enumerable.Range(1, (int)step + 2).Select(i => (long)i), steps);
    }

    [Theory]
    [InlineData("INT", "INT")]
    [InlineData("INT", "TERM")]
    public async Task A_second_signal_exits_at_once_without_waiting_for_the_step(string first, string second)
    {
        string dir = TestData.TempDirectory();
        string corpus = PreparedCorpus(dir), run = Path.Combine(dir, "run");
        string[] args = PretrainArgs(corpus, run, "trainer.max_epochs=100000", "trainer.max_steps=1000000", "trainer.save_every_n_steps=1000000");
        // Each step lasts 60 s more (a test-only hook of the CLI), so both signals arrive inside one step.
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            Environment = { ["PREM_TEST_STEP_DELAY_MS"] = "60000" },
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "prem.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = new System.Text.StringBuilder();
        var stderr = new System.Text.StringBuilder();
        using var sawStep = new ManualResetEventSlim();
        using var sawNotice = new ManualResetEventSlim();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stdout) stdout.AppendLine(e.Data);
            if (e.Data.StartsWith("step 1/", StringComparison.Ordinal)) sawStep.Set();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.AppendLine(e.Data);
            if (e.Data.Contains("received: stopping after the current step", StringComparison.Ordinal)) sawNotice.Set();
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = new Stopwatch();
        try
        {
            Assert.True(sawStep.Wait(TimeSpan.FromSeconds(120)), $"no step 1 within 120 s: {stdout}{stderr}");
            Signal(process, first);
            Assert.True(sawNotice.Wait(TimeSpan.FromSeconds(30)), $"no notice for the first signal: {stderr}");
            clock.Start();
            Signal(process, second);
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "the second signal did not end the run within 30 s");
            clock.Stop();
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        await process.WaitForExitAsync();
        string output = stdout.ToString(), err = stderr.ToString();
        // Ended by the signal's default action: 128 + the signal number, as a shell reports it.
        int expected = 128 + (second == "INT" ? 2 : 15);
        Assert.True(process.ExitCode == expected, $"exit {process.ExitCode}, expected {expected}\n{output}\n{err}");
        // Well inside the 60 s step it interrupted: the process did not wait for the step to end.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:F1} s to exit after the second signal");
        Assert.Contains("prem: exiting now without a checkpoint", err);
        Assert.DoesNotContain("stopped at step", output);
        Assert.Empty(Directory.Exists(Path.Combine(run, "checkpoints")) ? Directory.GetDirectories(Path.Combine(run, "checkpoints"), "step-*") : []);
    }

    static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString()]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    [Fact]
    public void Resume_auto_starts_fresh_in_an_empty_run_folder()
    {
        string dir = TestData.TempDirectory();
        string corpus = PreparedCorpus(dir), run = Path.Combine(dir, "run");
        var (exit, output, err) = CliRun.Prem(PretrainArgs(corpus, run, "trainer.max_steps=2", "resume_from=auto"));
        Assert.True(exit == 0, err);
        Assert.Contains("step 1/2 | loss", output);
        Assert.Contains("done: 2 steps", output);
    }

    [Fact]
    public void Rerunning_into_a_used_run_folder_is_refused_unless_overwrite()
    {
        string dir = TestData.TempDirectory();
        string corpus = PreparedCorpus(dir), run = Path.Combine(dir, "run");
        Assert.Equal(0, CliRun.Prem(PretrainArgs(corpus, run, "trainer.max_steps=2")).Exit);
        var (exit, _, err) = CliRun.Prem(PretrainArgs(corpus, run, "trainer.max_steps=2"));
        Assert.Equal(1, exit);
        Assert.StartsWith("prem: error: ", err);
        Assert.Contains("already holds a run", err);
        Assert.Contains("--overwrite", err);

        var (again, output, err2) = CliRun.Prem([.. PretrainArgs(corpus, run, "trainer.max_steps=2"), "--overwrite"]);
        Assert.True(again == 0, err2);
        Assert.Contains("done: 2 steps", output);
        Assert.Equal(new long[] { 1, 2 }, StepLines(run).Select(s => (long)s["step"]!));
    }
}
