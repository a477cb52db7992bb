using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation.Tasks;

public class TaskDataLoaderTests
{
    private static string WriteData(string task, string file, params string[] lines)
    {
        string dir = TestData.TempDirectory();
        Directory.CreateDirectory(Path.Combine(dir, task));
        File.WriteAllText(Path.Combine(dir, task, file), string.Join("\n", lines) + "\n");
        return dir;
    }

    [Fact]
    public void Malformed_rows_name_file_line_and_field()
    {
        string good = """{"id":"p0","goal":"g","sol1":"a","sol2":"b","label":0}""";
        string dir = WriteData("piqa", "validation.jsonl", good, """{"id":"p1","goal":"g","sol1":"a","label":1}""");
        var e = Assert.Throws<EvaluationException>(() => TaskDataLoader.Load([PiqaTask.Instance], dir));
        Assert.Equal(2, e.Line);
        Assert.EndsWith(Path.Combine("piqa", "validation.jsonl"), e.File);
        Assert.Contains("sol2", e.Message);
        Assert.Contains("validation.jsonl:2:", e.Message);
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("")]
    [InlineData("""{"id":"p","goal":"g","sol1":"a","sol2":"b","label":5}""")]
    [InlineData("""{"id":"p","goal":"g","sol1":"a","sol2":"b","label":"x"}""")]
    public void Bad_json_empty_lines_and_bad_labels_are_errors(string line)
    {
        string dir = WriteData("piqa", "validation.jsonl", """{"id":"p0","goal":"g","sol1":"a","sol2":"b","label":0}""", line);
        var e = Assert.Throws<EvaluationException>(() => TaskDataLoader.Load([PiqaTask.Instance], dir));
        Assert.Equal(2, e.Line);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Every_row_is_kept_in_file_order_and_a_task_without_rows_is_an_error()
    {
        string dir = WriteData("mmlu", "test.jsonl",
            """{"id":"a-0","subject":"anatomy","question":"q","choices":["1","2","3","4"],"answer":2}""",
            """{"id":"v-0","subject":"virology","question":"q","choices":["1","2","3","4"],"answer":0}""",
            """{"id":"a-1","subject":"anatomy","question":"q","choices":["1","2","3","4"],"answer":1}""");
        var docs = TaskDataLoader.Load([new MmluTask("anatomy"), new MmluTask("virology")], dir);
        Assert.Equal(["a-0", "a-1"], docs["mmlu_anatomy"].Select(d => d.Id));
        Assert.Equal(["v-0"], docs["mmlu_virology"].Select(d => d.Id));
        var e = Assert.Throws<EvaluationException>(() => TaskDataLoader.Load([new MmluTask("sociology")], dir));
        Assert.Contains("no rows for task mmlu_sociology", e.Message);
        Directory.Delete(dir, true);
    }
}
