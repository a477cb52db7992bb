using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class ChatTemplateChoiceTests
{
    static readonly List<ChatMessage> _messages = [new("user", "hi"), new("assistant", "yo")];

    [Fact]
    public void FolderTemplate_IsUsedWhenPresent()
    {
        string folder = HfTestData.Folder("qwen3");
        var t = ChatTemplateChoice.Resolve(null, folder, HfTestData.Tokenizer("qwen3"));
        Assert.StartsWith("<|im_start|>user\nhi<|im_end|>", t.Render(_messages, false));
    }

    [Fact]
    public void NoFolderTemplate_FallsBackToLlama3_WithANotice()
    {
        var notices = new List<string>();
        var t = ChatTemplateChoice.Resolve(null, TextTestData.Llama2Model, TextTestData.Llama2, notices.Add);
        Assert.StartsWith("<s><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>", t.Render(_messages, false));
        Assert.Single(notices);
        Assert.Contains("Llama-3 template of the Prem-1B recipe", notices[0]);
    }

    [Fact]
    public void Llama3AndFileChoices_OverrideTheFolder()
    {
        string folder = HfTestData.Folder("qwen3");
        var tokenizer = HfTestData.Tokenizer("qwen3");
        Assert.Contains("<|start_header_id|>", ChatTemplateChoice.Resolve("llama3", folder, tokenizer).Render(_messages, false));
        string file = TestData.TempFile("t.jinja");
        File.WriteAllText(file, "{% for m in messages %}{{ m.content }}{{ eos_token }}{% endfor %}");
        Assert.Equal("hi<|im_end|>yo<|im_end|>", ChatTemplateChoice.Resolve(file, folder, tokenizer).Render(_messages, false));
        string json = TestData.TempFile("c.json");
        File.WriteAllText(json, """{"chat_template": "X{{ messages | length }}"}""");
        Assert.Equal("X2", ChatTemplateChoice.Resolve(json, folder, tokenizer).Render(_messages, false));
        Assert.Throws<TextDataException>(() => ChatTemplateChoice.Resolve("/no/such/file.jinja", folder, tokenizer));
        File.WriteAllText(file, "{% if %}");
        Assert.Contains("line 1", Assert.Throws<TextDataException>(() => ChatTemplateChoice.Resolve(file, folder, tokenizer)).Message);
    }
}
