using System.Text.Json;
using Prem.Llm.Tests.Text.Templates;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class JinjaChatTemplateTests
{
    static readonly string[] _templates = ["llama3", "llama3_1", "qwen3", "deepseek_v3", "gemma3"];

    static string Folder(string name) => HfTestData.Names.Contains(name) ? HfTestData.Folder(name) : TestData.Path("hf", "tokenizers", name);

    static ITextTokenizer? Tokenizer(string name) => name switch
    {
        "llama3" => TextTestData.Llama3,
        "gemma3" => null,
        _ => HfTestData.Tokenizer(name),
    };

    static string EndOfTurn(string name) => name switch
    {
        "qwen3" => "<|im_end|>",
        "deepseek_v3" => "<｜end▁of▁sentence｜>",
        "gemma3" => "<end_of_turn>",
        _ => "<|eot_id|>",
    };

    // What each template renders of an assistant content (read off the template sources): Llama-3 and Gemma trim it,
    // Qwen3 and DeepSeek keep it (Qwen3 lstrips "\n" from a final assistant turn and drops a reasoning block before the last user turn).
    static string RenderedContent(string name, string content, bool last) =>
        name is "llama3" or "llama3_1" or "gemma3" ? Strip(content) : name == "qwen3" && last ? content.TrimStart('\n') : content;

    static string Strip(string s) => s.Trim().Trim('\x1c', '\x1d', '\x1e', '\x1f');

    static List<ChatMessage> Messages(JsonElement json) =>
        [.. json.EnumerateArray().Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!))];

    public static TheoryData<int> Rows() => ChatTemplateGolden.RowIndices();

    [Theory]
    [MemberData(nameof(Rows))]
    public void Render_FromFolder_MatchesTheGolden(int index)
    {
        var row = ChatTemplateGolden.Rows[index];
        var template = JinjaChatTemplate.FromFolder(Folder(row.Template))!;
        var kwargs = row.Extra.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
        Assert.Equal(row.Text, template.Render(Messages(row.Messages), row.AddGenerationPrompt, kwargs));
        Assert.Equal(row.Text, template.Render(row.Messages, row.AddGenerationPrompt, kwargs));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Encode_IdsEqualHfAndLabelsDecodeToTheAssistantTurns(int index)
    {
        var row = ChatTemplateGolden.Rows[index];
        var template = JinjaChatTemplate.FromFolder(Folder(row.Template))!;
        var kwargs = row.Extra.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
        var messages = Messages(row.Messages);
        var segments = template.RenderSegments(messages, row.AddGenerationPrompt, kwargs);
        Assert.Equal(row.Text, string.Concat(segments.Select(s => s.Text)));
        var expected = messages.Where(m => m.Role == ChatMessage.Assistant)
            .Select(m => RenderedContent(row.Template, m.Content, ReferenceEquals(m, messages[^1])) + EndOfTurn(row.Template)).ToList();
        // Text level: the trained characters of each turn are its rendered content and the end-of-turn token.
        Assert.Equal(expected, TrainedTexts(segments));

        var tokenizer = Tokenizer(row.Template);
        if (tokenizer is null) return;
        var encoder = new ConversationEncoder(tokenizer, template, new ConversationEncoderOptions { RequireAssistantTurn = false, TemplateVariables = kwargs });
        var encoded = encoder.Encode(messages, row.AddGenerationPrompt)!;
        if (row.Ids is not null) Assert.Equal(row.Ids, encoded.InputIds);
        var spans = LabelledSpans(encoded);
        Assert.Equal(expected.Count, spans.Count);
        for (int k = 0; k < spans.Count; k++)
        {
            string decoded = tokenizer.Decode(spans[k], skipSpecialTokens: false);
            // Exact, except that the first trained token may also hold template text it was merged with ("\n" + "\n answer").
            if (decoded != expected[k])
            {
                Assert.EndsWith(expected[k], decoded);
                Assert.True(decoded.Length - expected[k].Length < tokenizer.Decode([spans[k][0]], skipSpecialTokens: false).Length, $"'{decoded}' vs '{expected[k]}'");
            }
        }
    }

    static List<string> TrainedTexts(IReadOnlyList<ChatSegment> segments)
    {
        var turns = new List<string>();
        int current = -2;
        foreach (var s in segments)
        {
            if (s.LabelFrom < 0 || s.MessageIndex < 0) { current = -2; continue; }
            string text = s.Text[s.LabelFrom..];
            if (s.MessageIndex == current) turns[^1] += text;
            else turns.Add(text);
            current = s.MessageIndex;
        }
        return turns;
    }

    static List<int[]> LabelledSpans(EncodedConversation e)
    {
        var spans = new List<int[]>();
        var current = new List<int>();
        for (int i = 0; i <= e.Labels.Length; i++)
        {
            if (i < e.Labels.Length && e.Labels[i] != ConversationEncoder.IgnoreIndex)
            {
                Assert.Equal(e.InputIds[i], e.Labels[i]);
                current.Add(e.Labels[i]);
            }
            else if (current.Count > 0)
            {
                spans.Add([.. current]);
                current.Clear();
            }
        }
        return spans;
    }

    [Fact]
    public void Qwen3_TrainsWhatTheFullRenderContains_ReasoningOnlyInTheLastTurn()
    {
        var template = JinjaChatTemplate.FromFolder(HfTestData.Folder("qwen3"))!;
        List<ChatMessage> messages =
        [
            new("user", "2+2?"), new("assistant", "<think>\nadd\n</think>\n\n4"),
            new("user", "3+3?"), new("assistant", "<think>\nadd again\n</think>\n\n6"),
        ];
        var segments = template.RenderSegments(messages, false);
        Assert.Equal(["4<|im_end|>", "add again\n</think>\n\n6<|im_end|>"], TrainedTexts(segments));
        var tokenizer = HfTestData.Tokenizer("qwen3");
        var encoded = new ConversationEncoder(tokenizer, template).Encode(messages)!;
        var spans = LabelledSpans(encoded);
        Assert.Equal("4<|im_end|>", tokenizer.Decode(spans[0], false));
        Assert.Equal("add again\n</think>\n\n6<|im_end|>", tokenizer.Decode(spans[1], false));
        // The ids are HF's tokenization of the render (</think> is a non-special added token, matched in text).
        Assert.Equal(tokenizer.EncodeAsHf(template.Render(messages, false), addSpecialTokens: false), encoded.InputIds);
    }

    [Fact]
    public void GenerationBlocks_MarkTheTrainedText()
    {
        const string source = "{% for m in messages %}<|im_start|>{{ m.role }}\n{% if m.role == 'assistant' %}{% generation %}{{ m.content }}<|im_end|>{% endgeneration %}{% else %}{{ m.content }}<|im_end|>{% endif %}\n{% endfor %}";
        var template = new JinjaChatTemplate(source, controlTokens: ["<|im_start|>", "<|im_end|>"]);
        Assert.True(template.Template.HasGenerationBlocks);
        var segments = template.RenderSegments([new("user", "hi"), new("assistant", "hello"), new("user", "bye"), new("assistant", "ciao")], false);
        Assert.Equal(["hello<|im_end|>", "ciao<|im_end|>"], TrainedTexts(segments));
    }

    [Fact]
    public void MessageText_NeverBecomesControlTokens_UnlessAskedForHfBehaviour()
    {
        var template = JinjaChatTemplate.FromFolder(HfTestData.Folder("qwen3"))!;
        List<ChatMessage> messages = [new("user", "say <|im_end|> please"), new("assistant", "<|im_start|>ok")];
        var segments = template.RenderSegments(messages, false);
        Assert.Equal(["<|im_start|>", "<|im_end|>", "<|im_start|>", "<|im_end|>"], segments.Where(s => s.IsControl).Select(s => s.Text));
        Assert.Equal(["<|im_start|>ok<|im_end|>"], TrainedTexts(segments));
        var hf = new JinjaChatTemplate(template.Template.Source, controlTokens: template.ControlTokens) { ControlTokensInContent = true };
        Assert.Equal(6, hf.RenderSegments(messages, false).Count(s => s.IsControl));
        var tokenizer = HfTestData.Tokenizer("qwen3");
        var ids = new ConversationEncoder(tokenizer, template).Encode(messages)!.InputIds;
        Assert.Equal(4, ids.Count(id => id == tokenizer.TokenToId("<|im_end|>") || id == tokenizer.TokenToId("<|im_start|>")));
    }

    [Fact]
    public void UnlocatableTurn_IsRefusedNamingIt()
    {
        // A template that renders the assistant's content only through its length cannot be located.
        var template = new JinjaChatTemplate("{% for m in messages %}{{ m.role }}:{{ m.content | length }};{% endfor %}");
        var e = Assert.Throws<ChatTemplateLocateException>(() => template.RenderSegments([new("user", "a"), new("assistant", "bc")], false));
        Assert.Equal(1, e.MessageIndex);
        Assert.Contains("message 1 (assistant)", e.Message);
    }

    [Fact]
    public void FromFolder_ReadsNamedTemplatesAndNoneWhenAbsent()
    {
        string dir = TestData.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{"chat_template": [{"name": "default", "template": "A{{ messages[0].content }}"}, {"name": "tool_use", "template": "T"}], "bos_token": "<s>"}""");
        Assert.Equal("Ax", JinjaChatTemplate.FromFolder(dir)!.Render([new("user", "x")], false));
        Assert.Equal("T", JinjaChatTemplate.FromFolder(dir, "tool_use")!.Render([new("user", "x")], false));
        Assert.Contains("no chat template named 'nope'", Assert.Throws<TextDataException>(() => JinjaChatTemplate.FromFolder(dir, "nope")).Message);
        Assert.Null(JinjaChatTemplate.FromFolder(TestData.Path("hf", "tokenizers", "lenml-llama2")));
    }
}
