using Prem.Llm.Recipes;

namespace Prem.Llm.Tests.Recipes;

public class TokenizerFilesTests
{
    [Fact]
    public void Copies_tokenizer_files_and_never_the_model()
    {
        string dir = TestData.TempDirectory(), dest = Path.Combine(dir, "out");
        TokenizerFiles.CopyTo(TestData.Path("stories260K"), dest);
        Assert.Equal(["tokenizer.model"], Directory.GetFiles(dest).Select(Path.GetFileName));
        Assert.Equal(File.ReadAllBytes(TestData.Path("stories260K", "tokenizer.model")), File.ReadAllBytes(Path.Combine(dest, "tokenizer.model")));
    }

    [Fact]
    public void A_single_file_is_copied_and_a_missing_source_is_named()
    {
        string dir = TestData.TempDirectory();
        TokenizerFiles.CopyTo(TestData.Path("stories260K", "tokenizer.model"), dir);
        Assert.True(File.Exists(Path.Combine(dir, "tokenizer.model")));
        var e = Assert.Throws<DirectoryNotFoundException>(() => TokenizerFiles.CopyTo("/no/such/tok", dir));
        Assert.Contains("/no/such/tok", e.Message);
    }
}
