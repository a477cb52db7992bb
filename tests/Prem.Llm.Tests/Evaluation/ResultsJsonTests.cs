using System.Text.Json;
using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation;

public class ResultsJsonTests
{
    [Fact]
    public void Json_has_lm_eval_keys_and_values()
    {
        var arc = ResultsFixtures.Task(ArcTask.Easy, 3, 4, 1);
        var wino = ResultsFixtures.Task(WinograndeTask.Instance, 1, 1);
        var results = new EvalResults([arc, wino], [], 4, null, 2048, TimeSpan.FromSeconds(2));
        using var json = JsonDocument.Parse(ResultsJson.ToJson(results, "tiny"));
        var root = json.RootElement;
        var a = root.GetProperty("results").GetProperty("arc_easy");
        Assert.Equal(0.75, a.GetProperty("acc,none").GetDouble());
        Assert.Equal(0.25, a.GetProperty("acc_stderr,none").GetDouble());
        Assert.Equal(0.25, a.GetProperty("acc_norm,none").GetDouble());
        Assert.Equal("N/A", root.GetProperty("results").GetProperty("winogrande").GetProperty("acc_stderr,none").GetString());
        Assert.False(root.GetProperty("results").GetProperty("winogrande").TryGetProperty("acc_norm,none", out _));
        Assert.Equal(1.0, root.GetProperty("versions").GetProperty("arc_easy").GetDouble());
        Assert.Equal(4, root.GetProperty("n-samples").GetProperty("arc_easy").GetProperty("effective").GetInt32());
        Assert.Equal(" ", root.GetProperty("configs").GetProperty("arc_easy").GetProperty("target_delimiter").GetString());
        Assert.Equal("Question: {{question}}\nAnswer:", root.GetProperty("configs").GetProperty("arc_easy").GetProperty("doc_to_text").GetString());
        Assert.Equal(4, root.GetProperty("config").GetProperty("limit").GetInt32());
    }

    [Fact]
    public void Mmlu_groups_appear_in_results_groups_and_versions()
    {
        var tasks = MmluSubjects.Category.Keys.Select(s => ResultsFixtures.Task(new MmluTask(s), 1, 2)).ToArray();
        var results = new EvalResults(tasks, GroupResult.MmluGroups(tasks), null, null, 512, TimeSpan.Zero);
        using var json = JsonDocument.Parse(ResultsJson.ToJson(results, "m"));
        var root = json.RootElement;
        Assert.Equal(0.5, root.GetProperty("groups").GetProperty("mmlu").GetProperty("acc,none").GetDouble(), 12);
        Assert.Equal(2, root.GetProperty("versions").GetProperty("mmlu").GetDouble());
        Assert.Equal(4, root.GetProperty("group_subtasks").GetProperty("mmlu").GetArrayLength());
        Assert.Equal("mmlu_stem_tasks", root.GetProperty("configs").GetProperty("mmlu_anatomy").GetProperty("tag").GetString());
    }
}
