using System.Text.Json;
using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation.Tasks;

public class HellaSwagTaskTests
{
    // Expected strings were produced by running lm-eval's preprocess() in Python 3.
    [Theory]
    [InlineData("  Wash hands [title] Dry them. ", "Wash hands. Dry them.")]
    [InlineData("[header] How to cook [step] Boil water.", " How to cook Boil water.")]
    [InlineData("a   b", "a  b")] // one left-to-right pass: three spaces become two
    [InlineData("keep [x\ny] tag", "keep [x\ny] tag")] // brackets do not match across lines
    [InlineData("[a] [b]", " ")]
    public void Preprocess_follows_lm_eval(string input, string expected) =>
        Assert.Equal(expected, HellaSwagTask.Preprocess(input));

    [Fact]
    public void Query_capitalizes_ctx_b_and_choices_are_preprocessed()
    {
        using var row = JsonDocument.Parse("""
            {"ind": 24, "activity_label": "Roof shingle removal", "ctx_a": "A man is sitting on a roof.", "ctx_b": "HE starts pulling up roofing.",
             "endings": ["is using wrap to wrap a pair of skis.", "starts pulling up roofing on a roof. [title] Done", "is ripping level tiles off.", "holds a rubik's cube."],
             "label": "3"}
            """);
        var doc = HellaSwagTask.Instance.ToDocument(row.RootElement);
        Assert.Equal("24", doc.Id);
        Assert.Equal(["Roof shingle removal: A man is sitting on a roof. He starts pulling up roofing."], doc.Contexts);
        Assert.Equal(" starts pulling up roofing on a roof.. Done", doc.Continuations[1]);
        Assert.Equal(3, doc.Gold);
        Assert.Equal("starts pulling up roofing on a roof.. Done".Length, doc.NormLengths![1]);
    }

    [Fact]
    public void Empty_ctx_b_leaves_no_trailing_space()
    {
        using var row = JsonDocument.Parse("""
            {"id": "wh-1", "activity_label": "Home and Garden", "ctx_a": "[header] How to plant a tree [title] Dig a hole.", "ctx_b": "",
             "endings": ["a", "b", "c", "d"], "label": 0}
            """);
        var doc = HellaSwagTask.Instance.ToDocument(row.RootElement);
        Assert.Equal(["Home and Garden: How to plant a tree. Dig a hole."], doc.Contexts);
        Assert.Equal("wh-1", doc.Id);
    }

    [Fact]
    public void Missing_file_is_reported_with_its_path()
    {
        var e = Assert.Throws<EvaluationException>(() => TaskDataLoader.Load([HellaSwagTask.Instance], Path.Combine(Path.GetTempPath(), "no-such-eval-dir")));
        Assert.EndsWith(Path.Combine("hellaswag", "validation.jsonl"), e.File);
    }
}
