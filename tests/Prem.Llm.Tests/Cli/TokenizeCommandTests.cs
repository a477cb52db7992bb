using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Cli;

public class TokenizeCommandTests
{
    static string ChatTokenizer => TestData.Path("tokenizers", "prem-1b-chat");

    [Fact]
    public void Text_lines_become_ids_and_conversations_ids_and_labels()
    {
        string dir = TestData.TempDirectory();
        string input = Path.Combine(dir, "in.jsonl"), output = Path.Combine(dir, "out.jsonl");
        File.WriteAllLines(input,
        [
            "{\"text\":\"Hello world\"}",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"Hello!\"}],\"add_generation_prompt\":false}",
        ]);
        var (exit, _, err) = CliRun.Prem("tokenize", "--tokenizer", ChatTokenizer, "--input", input, "--output", output, "--bos");
        Assert.True(exit == 0, err);
        var lines = File.ReadAllLines(output);
        var tokenizer = TokenizerLoader.Load(ChatTokenizer);
        using (var text = JsonDocument.Parse(lines[0]))
            Assert.Equal(tokenizer.Encode("Hello world", addBos: true), text.RootElement.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()));
        using var chat = JsonDocument.Parse(lines[1]);
        var ids = chat.RootElement.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var labels = chat.RootElement.GetProperty("labels").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        Assert.StartsWith("<s><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>", chat.RootElement.GetProperty("text").GetString());
        Assert.Equal(ids.Length, labels.Length);
        // Trained: the assistant's reply and its closing <|eot_id|> (32002), nothing else.
        var trained = ids.Where((id, i) => labels[i] != -100).ToArray();
        Assert.Equal(32002, trained[^1]);
        Assert.Equal("Hello!", tokenizer.Decode(trained[..^1]).Trim());
    }

    [Fact]
    public void Bad_line_names_file_and_line()
    {
        string dir = TestData.TempDirectory();
        string input = Path.Combine(dir, "in.jsonl");
        File.WriteAllLines(input, ["{\"text\":\"ok\"}", "{\"text\": 5}"]);
        var (exit, _, err) = CliRun.Prem("tokenize", "--tokenizer", ChatTokenizer, "--input", input);
        Assert.Equal(1, exit);
        Assert.Contains("in.jsonl", err);
        Assert.Contains("2", err);
    }

    [Fact]
    public void TokenizerJsonFolder_TextRecordsWithoutBosUnlessAsked()
    {
        string folder = Prem.Llm.Tests.Text.HfTestData.Folder("llama3_1");
        string dir = TestData.TempDirectory();
        string input = Path.Combine(dir, "in.jsonl"), plain = Path.Combine(dir, "plain.jsonl"), withBos = Path.Combine(dir, "bos.jsonl");
        File.WriteAllLines(input, ["{\"text\":\"Hello world<|eot_id|>\"}"]);
        var (exit, _, err) = CliRun.Prem("tokenize", "--tokenizer", folder, "--input", input, "--output", plain);
        Assert.True(exit == 0, err);
        (exit, _, err) = CliRun.Prem("tokenize", "--tokenizer", folder, "--input", input, "--output", withBos, "--bos");
        Assert.True(exit == 0, err);
        static int[] Ids(string path)
        {
            using var doc = JsonDocument.Parse(File.ReadAllLines(path)[0]);
            return doc.RootElement.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        }
        var tokenizer = TokenizerLoader.Load(folder);
        // Text records keep special-token strings as text (never control tokens), as for every tokenizer.
        Assert.Equal(tokenizer.Encode("Hello world<|eot_id|>"), Ids(plain));
        Assert.Equal([9906, 1917], Ids(plain)[..2]);
        Assert.DoesNotContain(128009, Ids(plain));
        Assert.Equal([128000, .. Ids(plain)], Ids(withBos));
    }

    static int[] Ints(JsonElement e, string name) => [.. e.GetProperty(name).EnumerateArray().Select(x => x.GetInt32())];

    [Fact]
    public void Conversations_UseTheFolderTemplate_KwargsApply_NothingToTrainIsAllIgnored_SkipKeepsLinesAligned()
    {
        string folder = Prem.Llm.Tests.Text.HfTestData.Folder("qwen3");
        string dir = TestData.TempDirectory();
        string input = Path.Combine(dir, "in.jsonl"), output = Path.Combine(dir, "out.jsonl");
        File.WriteAllLines(input,
        [
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"add_generation_prompt\":true,\"chat_template_kwargs\":{\"enable_thinking\":false}}",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "{\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"}]}",
            "not json",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"Hello!\"}]}",
        ]);
        var (exit, _, err) = CliRun.Prem("tokenize", "--tokenizer", folder, "--input", input, "--output", output, "--on-error", "skip");
        Assert.True(exit == 0, err);
        Assert.Contains("2 records failed", err);
        var lines = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(5, lines.Length);
        Assert.Equal("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n", lines[0].GetProperty("text").GetString());
        Assert.All(Ints(lines[1], "labels"), l => Assert.Equal(-100, l));
        Assert.Contains("unknown role 'robot'", lines[2].GetProperty("error").GetString());
        Assert.Contains("invalid JSON", lines[3].GetProperty("error").GetString());
        var tokenizer = Prem.Llm.Tests.Text.HfTestData.Tokenizer("qwen3");
        var ids = Ints(lines[4], "ids");
        Assert.Equal(tokenizer.EncodeAsHf(lines[4].GetProperty("text").GetString()!, addSpecialTokens: false), ids);
        var labels = Ints(lines[4], "labels");
        Assert.Equal("Hello!<|im_end|>", tokenizer.Decode(ids.Where((_, i) => labels[i] != -100), skipSpecialTokens: false));

        (exit, _, err) = CliRun.Prem("tokenize", "--tokenizer", folder, "--input", input, "--output", output);
        Assert.Equal(1, exit);
        Assert.Contains("robot", err);
    }

    [Fact]
    public void ChatTemplateOption_PicksAFileOrLlama3_AndAFolderWithoutOneGetsANotice()
    {
        string dir = TestData.TempDirectory();
        string input = Path.Combine(dir, "in.jsonl"), output = Path.Combine(dir, "out.jsonl"), jinja = Path.Combine(dir, "t.jinja");
        File.WriteAllLines(input, ["{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"yo\"}]}"]);
        File.WriteAllText(jinja, "{% for m in messages %}{{ m.role }}: {{ m.content }}{{ eos_token }}{% endfor %}");
        var (exit, _, err) = CliRun.Prem("tokenize", "--tokenizer", ChatTokenizer, "--input", input, "--output", output, "--chat-template", jinja);
        Assert.True(exit == 0, err);
        Assert.Equal("user: hi<|eot_id|>assistant: yo<|eot_id|>", JsonDocument.Parse(File.ReadAllLines(output)[0]).RootElement.GetProperty("text").GetString());
        (exit, _, err) = CliRun.Prem("tokenize", "--tokenizer", ChatTokenizer, "--input", input, "--output", output, "--chat-template", "llama3");
        Assert.True(exit == 0, err);
        Assert.StartsWith("<s><|start_header_id|>user", JsonDocument.Parse(File.ReadAllLines(output)[0]).RootElement.GetProperty("text").GetString());
        (exit, _, err) = CliRun.Prem("tokenize", "--tokenizer", TestData.Path("tokenizers", "llama2", "tokenizer.model"), "--input", input, "--output", output, "--chat-template", "llama3", "--on-error", "skip");
        Assert.DoesNotContain("no chat_template", err);
        // (Plain Llama-2 lacks the Llama-3 control tokens: the record is an error line; the notice still says which template was used.)
        (exit, _, err) = CliRun.Prem("tokenize", "--tokenizer", TestData.Path("tokenizers", "llama2", "tokenizer.model"), "--input", input, "--output", output, "--on-error", "skip");
        Assert.True(exit == 0, err);
        Assert.Contains("has no chat_template; using the Llama-3 template of the Prem-1B recipe", err);
    }
}
