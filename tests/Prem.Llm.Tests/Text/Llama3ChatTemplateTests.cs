using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class Llama3ChatTemplateTests
{
    public static TheoryData<string, string> Variants() => new()
    {
        { "<|begin_of_text|>", "full_train" }, { "<|begin_of_text|>", "prompt_nogen" }, { "<|begin_of_text|>", "prompt_gen" },
        { "<s>", "full_train" }, { "<s>", "prompt_nogen" }, { "<s>", "prompt_gen" },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Render_EqualsHfJinjaForEveryVariant(string bos, string variant)
    {
        var messages = ChatExample.Messages;
        // full_train: all messages; prompt_*: without the final assistant answer, with or without the generation prompt.
        var input = variant == "full_train" ? messages : messages.Take(messages.Count - 1).ToList();
        IChatTemplate template = new Llama3ChatTemplate(bos);
        Assert.Equal(ChatExample.Render($"{variant}_bos={bos}"), template.Render(input, addGenerationPrompt: variant == "prompt_gen"));
    }

    [Fact]
    public void StaticInstances_UseTheirBos()
    {
        IChatTemplate l3 = Llama3ChatTemplate.Llama3, l2 = Llama3ChatTemplate.Llama2Vocabulary;
        Assert.StartsWith("<|begin_of_text|><|start_header_id|>", l3.Render([new ChatMessage("user", "x")], false));
        Assert.StartsWith("<s><|start_header_id|>", l2.Render([new ChatMessage("user", "x")], false));
    }

    [Fact]
    public void Content_TrimmedWithPythonSemantics()
    {
        IChatTemplate t = Llama3ChatTemplate.Llama3;
        string rendered = t.Render([new ChatMessage("user", "\x1c\u3000 hi there \n\x1f")], false);
        Assert.Equal("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi there<|eot_id|>", rendered);
    }

    [Fact]
    public void NoMessages_NoBos_OnlyGenerationPrompt()
    {
        IChatTemplate t = Llama3ChatTemplate.Llama3;
        Assert.Equal("", t.Render([], false));
        Assert.Equal("<|start_header_id|>assistant<|end_header_id|>\n\n", t.Render([], true));
    }

    [Fact]
    public void Segments_MarkControlTokensAndTrainableParts()
    {
        var segments = Llama3ChatTemplate.Llama3.RenderSegments([new ChatMessage("assistant", " ok ")], false);
        Assert.Equal(["<|begin_of_text|>", "<|start_header_id|>", "assistant", "<|end_header_id|>", "\n\nok", "<|eot_id|>"], segments.Select(s => s.Text));
        Assert.Equal([true, true, false, true, false, true], segments.Select(s => s.IsControl));
        Assert.Equal([-1, -1, -1, -1, 2, 0], segments.Select(s => s.LabelFrom));
    }
}
