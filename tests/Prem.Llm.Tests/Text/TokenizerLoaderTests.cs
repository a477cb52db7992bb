using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class TokenizerLoaderTests
{
    [Fact]
    public void PremChatFolder_LlamaVocabularyPlusFourTokens()
    {
        var tok = TextTestData.PremChat;
        Assert.Equal(32004, tok.VocabSize);
        Assert.Equal((1, 32002, (int?)32003), (tok.BosId, tok.EosId, tok.PadId));
        Assert.Equal([32000, 32001, 32002, 32003], new[] { "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "[PAD]" }.Select(t => tok.TokenToId(t)!.Value));
        Assert.Equal(DummyPrefixMode.EverySegment, tok.DummyPrefix);
    }

    [Fact]
    public void BareModelFile_UsesModelIds()
    {
        var tok = TokenizerLoader.Load(TextTestData.Llama2Model);
        Assert.IsType<SentencePieceTextTokenizer>(tok);
        Assert.Equal((32000, 1, 2, (int?)null), (tok.VocabSize, tok.BosId, tok.EosId, tok.PadId));
    }

    [Fact]
    public void TiktokenFolder_WithSpecialTokensJson()
    {
        var tok = TokenizerLoader.Load(TextTestData.File("llama3"));
        Assert.IsType<TiktokenTextTokenizer>(tok);
        Assert.Equal(128256, tok.VocabSize);
        Assert.Equal([791, 4062], tok.Encode("The quick"));
    }

    [Fact]
    public void TiktokenContentNamedTokenizerModel_IsDetected()
    {
        // Meta ships Llama-3's tiktoken ranks as original/tokenizer.model.
        string dir = TestData.TempDirectory();
        File.Copy(TextTestData.Llama3Tiktoken, Path.Combine(dir, "tokenizer.model"));
        File.Copy(TextTestData.Llama3Specials, Path.Combine(dir, "special_tokens.json"));
        Assert.IsType<TiktokenTextTokenizer>(TokenizerLoader.Load(dir));
    }

    [Fact]
    public void LegacyFalse_SelectsFirstSegmentOnly()
    {
        string dir = TestData.TempDirectory();
        File.Copy(TextTestData.Llama2Model, Path.Combine(dir, "tokenizer.model"));
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{"legacy": false}""");
        Assert.Equal(DummyPrefixMode.FirstSegmentOnly, ((SentencePieceTextTokenizer)TokenizerLoader.Load(dir)).DummyPrefix);
    }

    [Fact]
    public void Errors_NameThePath()
    {
        Assert.Contains("/no/such", Assert.Throws<TextDataException>(() => TokenizerLoader.Load("/no/such/dir")).Message);
        string empty = TestData.TempDirectory();
        Assert.Contains("no tokenizer.json, tokenizer.model", Assert.Throws<TextDataException>(() => TokenizerLoader.Load(empty)).Message);
        string tiktokenOnly = TestData.TempDirectory();
        File.Copy(TextTestData.Llama3Tiktoken, Path.Combine(tiktokenOnly, "x.tiktoken"));
        Assert.Contains("special tokens", Assert.Throws<TextDataException>(() => TokenizerLoader.Load(tiktokenOnly)).Message);
    }

    [Fact]
    public void TokenizerJsonFolder_LoadsHfTokenizer_AndWinsOverTokenizerModel()
    {
        string dir = TestData.TempDirectory();
        foreach (string f in Directory.GetFiles(HfTestData.Folder("lenml-llama2"))) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        Assert.IsType<HfTokenizer>(TokenizerLoader.Load(dir));
        File.Copy(TextTestData.Llama2Model, Path.Combine(dir, "tokenizer.model"));
        Assert.Equal(Path.Combine(dir, "tokenizer.json"), TokenizerLoader.TryFind(dir));
        Assert.IsType<HfTokenizer>(TokenizerLoader.Load(dir));
        Assert.IsType<SentencePieceTextTokenizer>(TokenizerLoader.Load(Path.Combine(dir, "tokenizer.model")));
        Assert.IsType<HfTokenizer>(TokenizerLoader.Load(Path.Combine(dir, "tokenizer.json")));
    }

    [Fact]
    public void TryFind_NamesTheFileLoadWouldRead()
    {
        string empty = TestData.TempDirectory();
        Assert.Null(TokenizerLoader.TryFind(empty));
        Assert.Null(TokenizerLoader.TryFind(Path.Combine(empty, "missing")));
        Assert.Equal(Path.Combine(TextTestData.PremChatFolder, "tokenizer.model"), TokenizerLoader.TryFind(TextTestData.PremChatFolder));
        Assert.Equal(TextTestData.Llama3Tiktoken, TokenizerLoader.TryFind(TextTestData.File("llama3")));
        string two = TestData.TempDirectory();
        File.WriteAllText(Path.Combine(two, "a.tiktoken"), "");
        File.WriteAllText(Path.Combine(two, "b.tiktoken"), "");
        Assert.Throws<TextDataException>(() => TokenizerLoader.TryFind(two));
        var e = Assert.Throws<TextDataException>(() => TokenizerLoader.Load(empty));
        Assert.Contains("tokenizer.json", e.Message);
    }
}
