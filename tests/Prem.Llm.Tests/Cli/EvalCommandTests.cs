using System.Text.Json;
using Prem.Llm.Tests.Evaluation;

namespace Prem.Llm.Tests.Cli;

public class EvalCommandTests
{
    [Fact]
    public void Evaluates_stories260K_deterministically_and_writes_lm_eval_json()
    {
        string dir = TestData.TempDirectory();
        string results = Path.Combine(dir, "results.json");
        string[] args = ["eval", "--model", TestData.Path("stories260K"), "--tasks", "arc_easy,winogrande", "--limit", "6",
            "--data-dir", EvalTestData.SliceDir, "--output", results];
        var first = CliRun.Prem(args);
        Assert.True(first.Exit == 0, first.Err);
        Assert.Contains("arc_easy", File.ReadAllText(results));
        using var json = JsonDocument.Parse(File.ReadAllText(results));
        var acc = json.RootElement.GetProperty("results").GetProperty("arc_easy").GetProperty("acc,none").GetDouble();
        Assert.InRange(acc, 0, 1);
        var second = CliRun.Prem(args);
        Assert.Equal(first.Out.Split('\n')[..^2], second.Out.Split('\n')[..^2]);
    }

    [Fact]
    public void Window_option_is_checked_and_short_windows_count_truncations()
    {
        var bad = CliRun.Prem("eval", "--model", TestData.Path("stories260K"), "--tasks", "arc_easy", "--max-length", "0");
        Assert.NotEqual(0, bad.Exit);
        Assert.Contains("--max-length", bad.Err);
        var cut = CliRun.Prem("eval", "--model", TestData.Path("stories260K"), "--tasks", "arc_easy", "--limit", "4",
            "--data-dir", EvalTestData.SliceDir, "--max-length", "64");
        Assert.True(cut.Exit == 0, cut.Err);
        Assert.Contains("requests cut from the left to the 64-token window", cut.Err);
    }

    [Fact]
    public void Unknown_task_is_a_clear_error()
    {
        var (exit, _, err) = CliRun.Prem("eval", "--model", TestData.Path("stories260K"), "--tasks", "arc_hard");
        Assert.NotEqual(0, exit);
        Assert.Contains("arc_hard", err);
    }
}
