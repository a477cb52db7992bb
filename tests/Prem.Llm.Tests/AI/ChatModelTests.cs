using Prem.Llm.AI;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.AI;

public class ChatModelTests
{
    static string CopyOf(string folder)
    {
        string copy = Path.Combine(TestData.TempDirectory(), Path.GetFileName(folder));
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.EnumerateFiles(folder)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }

    [Fact]
    public void Loads_the_folder_with_its_template_stop_ids_and_window()
    {
        using var model = ChatModel.Load(ChatTestModels.Stories);
        Assert.Equal("stories260K-chat", model.Name);
        Assert.Equal(512, model.ContextLength);
        Assert.IsType<JinjaChatTemplate>(model.Template);
        // config.json's eos ids (</s> and <|eot_id|>, written by chat-ready); the tokenizer's EOS is </s> again.
        Assert.Equal([2, 514], model.StopTokenIds);
        using var named = ChatModel.Load(ChatTestModels.Stories, new ChatModelOptions { Name = "my-model", ChatTemplate = "llama3" });
        Assert.Equal("my-model", named.Name);
        Assert.IsType<Llama3ChatTemplate>(named.Template);
    }

    [Fact]
    public void EncodePrompt_renders_the_template_with_the_assistant_header_last()
    {
        using var model = ChatModel.Load(ChatTestModels.Stories);
        ChatMessage[] messages = [new("system", "Be kind."), new("user", "Hello there"), new("assistant", "Hi!"), new("user", "Tell a story")];
        var ids = model.EncodePrompt(messages);
        string text = model.Tokenizer.Decode(ids);
        Assert.All(messages, m => Assert.Contains(m.Content, text));
        Assert.Equal(1, ids[0]);
        Assert.Equal(5, ids.Count(id => id == 512));
        Assert.Equal(4, ids.Count(id => id == ChatTestModels.EndOfTurn));
        int header = ids.ToList().LastIndexOf(512);
        Assert.Equal("assistant", model.Tokenizer.Decode(ids.Skip(header + 1).TakeWhile(id => id != 513)).Trim());
        Assert.Equal("\n\n", model.Tokenizer.Decode(ids.Skip(ids.ToList().LastIndexOf(513) + 1)).Trim(' '));
    }

    [Fact]
    public void EncodePrompt_refuses_an_empty_conversation_and_unknown_roles()
    {
        using var model = ChatModel.Load(ChatTestModels.Stories);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => model.EncodePrompt([])).Message);
        var e = Assert.Throws<ArgumentException>(() => model.EncodePrompt([new("user", "a"), new("narrator", "b")]));
        Assert.Contains("Message 1 has the unknown role 'narrator'; expected assistant, system, user", e.Message);
        Assert.Contains("no role or no content", Assert.Throws<ArgumentException>(() => model.EncodePrompt([new("user", null!)])).Message);
    }

    [Fact]
    public void Sampling_defaults_come_from_generation_config()
    {
        using (var greedy = ChatModel.Load(ChatTestModels.Stories))
        {
            var s = greedy.Sampling();
            Assert.Equal((0.0, 128), (s.Temperature, s.MaxNewTokens));
            Assert.Equal([2, 514], s.StopTokenIds);
        }
        string folder = CopyOf(ChatTestModels.Stories);
        File.WriteAllText(Path.Combine(folder, "generation_config.json"),
            """{"do_sample": true, "temperature": 0.7, "top_p": 0.9, "max_length": 100, "eos_token_id": [514]}""");
        using var model = ChatModel.Load(folder);
        var sampling = model.Sampling(promptLength: 30);
        Assert.Equal((0.7, 0.9, 50, 70), (sampling.Temperature, sampling.TopP, sampling.TopK, sampling.MaxNewTokens));
        // generation_config's eos list first, then the tokenizer's EOS (</s>).
        Assert.Equal([514, 2], model.StopTokenIds);
        Assert.Equal(model.StopTokenIds, sampling.StopTokenIds);
    }

    [Fact]
    public async Task A_prompt_that_fills_the_window_is_refused_and_the_reply_fits_what_is_left()
    {
        using var model = ChatModel.Load(ChatTestModels.Successor(ChatTestModels.Chain("é", last: ChatTestModels.ByteId(0xC3))));
        var full = Enumerable.Repeat(1, 512).ToArray();
        var e = await Assert.ThrowsAsync<ArgumentException>(async () => { await foreach (var _ in model.StreamAsync(full, model.Sampling())) { } });
        Assert.Contains("512-token context window", e.Message);

        // 508 prompt tokens ending where the chain starts leave room for 4 new tokens, whatever MaxNewTokens asks.
        var prompt = Enumerable.Repeat(1, 507).Append(ChatTestModels.PromptEnd).ToArray();
        var deltas = new List<ChatDelta>();
        await foreach (var d in model.StreamAsync(prompt, model.Sampling() with { MaxNewTokens = 100 })) deltas.Add(d);
        Assert.Equal((4, ChatFinish.Length), (deltas[^1].OutputTokens, deltas[^1].Finish!.Value));
        Assert.Equal("éé", string.Concat(deltas.Select(d => d.Text)));
        Assert.NotNull(deltas[^1].Stats);
    }

    [Fact]
    public void Load_names_what_is_missing()
    {
        Assert.Throws<DirectoryNotFoundException>(() => ChatModel.Load(Path.Combine(TestData.TempDirectory(), "nope")));
        var e = Assert.Throws<TextDataException>(() => ChatModel.Load(TestData.Path("tiny-gqa")));
        Assert.Contains("no tokenizer", e.Message);
    }
}
