using System.Text.Json;
using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation.Tasks;

public class MmluSubjectsTests
{
    [Fact]
    public void Subjects_are_those_of_the_data_and_categories_have_lm_eval_sizes()
    {
        var golden = File.ReadLines(Path.Combine(EvalTestData.SliceDir, "mmlu", "test.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("subject").GetString()!).ToHashSet();
        Assert.Equal(golden.Order(StringComparer.Ordinal), MmluSubjects.Category.Keys);
        // Counted from the "tag" lines of lm-eval's 57 mmlu_<subject>.yaml files at the reference commit.
        Assert.Equal(19, MmluSubjects.Category.Count(kv => kv.Value == "stem"));
        Assert.Equal(13, MmluSubjects.Category.Count(kv => kv.Value == "other"));
        Assert.Equal(12, MmluSubjects.Category.Count(kv => kv.Value == "social_sciences"));
        Assert.Equal(13, MmluSubjects.Category.Count(kv => kv.Value == "humanities"));
        Assert.Equal("humanities", MmluSubjects.Category["formal_logic"]);
        Assert.Equal("other", MmluSubjects.Category["college_medicine"]);
    }
}
