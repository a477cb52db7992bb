using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class JsonlTokenizerTests
{
    static (int Records, List<JsonElement> Lines, string Show) Run(JsonlTokenizer runner, string jsonl, Func<string, bool, string>? mark = null)
    {
        var output = new StringWriter();
        var show = new StringWriter();
        int n = runner.Run(new StringReader(jsonl), "in.jsonl", output, show, mark);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        return (n, lines, show.ToString());
    }

    static int[] Ints(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.GetInt32()).ToArray();

    [Fact]
    public void TextRecords_IdsWithoutBosUnlessAsked()
    {
        var tok = TextTestData.PremChat;
        var plain = Run(new JsonlTokenizer(tok), "{\"text\":\"The quick\"}\n\n{\"text\":\"\"}\n");
        Assert.Equal(2, plain.Records);
        Assert.Equal([450, 4996], Ints(plain.Lines[0], "ids"));
        Assert.Empty(Ints(plain.Lines[1], "ids"));
        var both = Run(new JsonlTokenizer(tok) { AddBos = true, AddEos = true }, "{\"text\":\"The quick\"}");
        Assert.Equal([1, 450, 4996, 32002], Ints(both.Lines[0], "ids")); // Prem's EOS is <|eot_id|>
    }

    [Fact]
    public void ConversationRecords_TextIdsAndLabels()
    {
        var tok = TextTestData.PremChat;
        string json = JsonSerializer.Serialize(new { messages = ChatExample.Messages.Select(m => new { role = m.Role, content = m.Content }) });
        var r = Run(new JsonlTokenizer(tok), json);
        var line = r.Lines.Single();
        Assert.Equal(ChatExample.Render("full_train_bos=<s>"), line.GetProperty("text").GetString());
        Assert.Equal(ChatExample.PremLegacyIds("full_train_bos=<s>"), Ints(line, "ids"));
        var expected = new ConversationEncoder(tok, Llama3ChatTemplate.Llama2Vocabulary).Encode(ChatExample.Messages)!;
        Assert.Equal(expected.Labels, Ints(line, "labels"));
    }

    [Fact]
    public void Output_KeepsControlTokenTextReadable()
    {
        var output = new StringWriter();
        new JsonlTokenizer(TextTestData.PremChat).Run(new StringReader("""{"messages":[{"role":"user","content":"é"},{"role":"assistant","content":"x"}]}"""), "in", output);
        Assert.StartsWith("{\"text\":\"<s><|start_header_id|>user<|end_header_id|>\\n\\né<|eot_id|>", output.ToString());
    }

    [Fact]
    public void GenerationPrompt_FlagHonoured_Llama3()
    {
        const string json = """{"messages":[{"role":"user","content":"Hi"}],"add_generation_prompt":true}""";
        var line = Run(new JsonlTokenizer(TextTestData.Llama3), json).Lines.Single();
        Assert.EndsWith("<|start_header_id|>assistant<|end_header_id|>\n\n", line.GetProperty("text").GetString());
        Assert.StartsWith("<|begin_of_text|>", line.GetProperty("text").GetString());
        Assert.All(Ints(line, "labels"), l => Assert.Equal(-100, l));
    }

    [Fact]
    public void Show_MarksTrainedTokens()
    {
        const string json = """{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Yo"}]}""";
        var encoded = new ConversationEncoder(TextTestData.PremChat, Llama3ChatTemplate.Llama2Vocabulary)
            .Encode([new ChatMessage("user", "Hi"), new ChatMessage("assistant", "Yo")])!;
        var brackets = Run(new JsonlTokenizer(TextTestData.PremChat), json).Show;
        Assert.Contains($"--- in.jsonl:1 ({encoded.TrainedTokenCount}/{encoded.InputIds.Length} tokens trained)", brackets);
        // "Yo" is two pieces, "Y" and "o": each is marked, and so is the closing <|eot_id|>.
        Assert.Contains("[[Y]][[o]][[<|eot_id|>]]", brackets);
        Assert.Contains("Hi<|eot_id|>", brackets);
        Assert.DoesNotContain("[[Hi]]", brackets);
        var custom = Run(new JsonlTokenizer(TextTestData.PremChat), json, (piece, trained) => trained ? $"<{piece}>" : piece).Show;
        Assert.Contains("<Y><o><<|eot_id|>>", custom);
    }

    [Theory]
    [InlineData("{\"text\": 5}", 1, "text")]
    [InlineData("{\"text\":\"ok\"}\n{\"txt\":\"x\"}", 2, "text")]
    [InlineData("{\"messages\":[{\"role\":\"user\"}]}", 1, "messages[0].content")]
    [InlineData("{\"messages\":{}}", 1, "messages")]
    [InlineData("{\"messages\":[],\"add_generation_prompt\":\"yes\"}", 1, "add_generation_prompt")]
    [InlineData("{\"text\":\"ok\"}\n{\"text\":\"ok\"}\n{oops", 3, null)]
    public void BadLine_ErrorNamesFileLineAndField(string jsonl, int line, string? field)
    {
        var e = Assert.Throws<TextDataException>(() => Run(new JsonlTokenizer(TextTestData.Llama2), jsonl));
        Assert.Equal("in.jsonl", e.Source);
        Assert.Equal(line, e.Line);
        Assert.Equal(field, e.Field);
        Assert.StartsWith($"in.jsonl:{line}", e.Message);
    }

    [Fact]
    public void InvalidConversation_ErrorNamesRecord()
    {
        var e = Assert.Throws<TextDataException>(() => Run(new JsonlTokenizer(TextTestData.PremChat), "\n{\"messages\":[{\"role\":\"bot\",\"content\":\"x\"}]}"));
        Assert.Equal("in.jsonl:2", e.Source);
        Assert.Contains("unknown role 'bot'", e.Message);
    }
}
