using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class TokenizerFileSetTests
{
    [Theory]
    [InlineData("tokenizer.json")]
    [InlineData("tokenizer_config.json")]
    [InlineData("special_tokens_map.json")]
    [InlineData("added_tokens.json")]
    [InlineData("tokenizer.model")]
    [InlineData("o200k.tiktoken")]
    public void TokenizerFiles_AreCarried(string name) => Assert.True(TokenizerFileSet.Contains(name));

    [Fact]
    public void TokenizerJsonFolder_ListsItsFiles_AndTheCopyLoadsTheSame()
    {
        string source = TestData.TempDirectory();
        foreach (string f in Directory.GetFiles(HfTestData.Folder("qwen3"))) File.Copy(f, Path.Combine(source, Path.GetFileName(f)));
        File.WriteAllText(Path.Combine(source, "config.json"), "{}");
        var files = TokenizerFileSet.In(source);
        Assert.Equal(["tokenizer.json", "tokenizer_config.json"], files.Select(Path.GetFileName));
        string copy = TestData.TempDirectory();
        foreach (string f in files) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        Assert.Equal(TokenizerLoader.Load(source).Encode("Saved folders carry tokenizer.json"), TokenizerLoader.Load(copy).Encode("Saved folders carry tokenizer.json"));
    }
}
