using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class HfTokenizerConfigTests
{
    static string Folder(params (string Name, string Json)[] files)
    {
        string dir = TestData.TempDirectory();
        foreach (var (name, json) in files) File.WriteAllText(Path.Combine(dir, name), json);
        return dir;
    }

    [Fact]
    public void PremChatFixture_AddedTokensAndSpecials()
    {
        var c = HfTokenizerConfig.Read(TextTestData.PremChatFolder);
        Assert.Equal(["<unk>", "<s>", "</s>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "[PAD]"], c.AddedTokens.Select(t => t.Content));
        Assert.Equal([0, 1, 2, 32000, 32001, 32002, 32003], c.AddedTokens.Select(t => t.Id));
        Assert.All(c.AddedTokens, t => Assert.True(t.Special));
        Assert.Equal(("<s>", "<|eot_id|>", "[PAD]"), (c.BosToken, c.EosToken, c.PadToken));
        Assert.True(c.Legacy);
    }

    [Fact]
    public void NoFiles_Empty()
    {
        var c = HfTokenizerConfig.Read(Folder());
        Assert.Empty(c.AddedTokens);
        Assert.Null(c.BosToken);
    }

    [Fact]
    public void SpecialTokensMap_OverridesConfig()
    {
        var c = HfTokenizerConfig.Read(Folder(("tokenizer_config.json", """{"eos_token": "</s>"}"""),
            ("special_tokens_map.json", """{"eos_token": {"content": "<|eot_id|>"}}""")));
        Assert.Equal("<|eot_id|>", c.EosToken);
    }

    [Fact]
    public void AddedTokensJson_AddsNonSpecialTokens()
    {
        var c = HfTokenizerConfig.Read(Folder(("added_tokens.json", """{"<x>": 40}""")));
        Assert.Equal(new AddedToken("<x>", 40, Special: false), c.AddedTokens.Single());
    }

    [Fact]
    public void InvalidJson_NamesFileAndLine()
    {
        string dir = Folder(("tokenizer_config.json", "{\n\"bos_token\": \n}"));
        var e = Assert.Throws<TextDataException>(() => HfTokenizerConfig.Read(dir));
        Assert.EndsWith("tokenizer_config.json", e.Source);
        Assert.Equal(3, e.Line);
    }

    [Theory]
    [InlineData("""{"added_tokens_decoder": {"32000": {"special": true}}}""", "added_tokens_decoder.32000.content")]
    [InlineData("""{"added_tokens_decoder": {"x": {"content": "a"}}}""", "added_tokens_decoder.x")]
    [InlineData("""{"added_tokens_decoder": {"5": {"content": "a", "special": "yes"}}}""", "added_tokens_decoder.5.special")]
    [InlineData("""{"bos_token": 5}""", "bos_token")]
    [InlineData("""{"legacy": "no"}""", "legacy")]
    [InlineData("""[1, 2]""", "$")]
    public void WrongTypes_NameTheField(string json, string field)
    {
        var e = Assert.Throws<TextDataException>(() => HfTokenizerConfig.Read(Folder(("tokenizer_config.json", json))));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void ConflictingAddedTokens_Rejected()
    {
        string dir = Folder(("tokenizer_config.json", """{"added_tokens_decoder": {"7": {"content": "<a>"}}}"""), ("added_tokens.json", """{"<b>": 7}"""));
        Assert.Contains("added_tokens.json", Assert.Throws<TextDataException>(() => HfTokenizerConfig.Read(dir)).Source);
    }

    [Fact]
    public void AddBosEosAndTokenizerClass_AreRead()
    {
        var c = HfTokenizerConfig.Read(HfTestData.Folder("deepseek_v3"));
        Assert.Equal((true, false, "LlamaTokenizerFast"), (c.AddBosToken, c.AddEosToken, c.TokenizerClass));
        var qwen = HfTokenizerConfig.Read(HfTestData.Folder("qwen3"));
        Assert.Equal((false, (bool?)null, "Qwen2Tokenizer"), (qwen.AddBosToken, qwen.AddEosToken, qwen.TokenizerClass));
        Assert.Throws<TextDataException>(() => HfTokenizerConfig.Read(Folder(("tokenizer_config.json", """{"tokenizer_class": 5}"""))));
    }
}
