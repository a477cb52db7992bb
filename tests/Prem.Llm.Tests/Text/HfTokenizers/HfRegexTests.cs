using System.Text;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class HfRegexTests
{
    [Theory]
    [InlineData(@"a++b", @"(?>a+)b")]
    [InlineData(@"(ab)*+c", @"(?>(ab)*)c")]
    [InlineData(@"[^\s\p{L}]?+x", @"(?>[^\s\p{L}]?)x")]
    [InlineData(@"\x{4E00}", @"\u4E00")]
    [InlineData(@"[^\w\s]+", @"[^\p{L}\p{M}\p{Nd}\p{Pc}\s]+")]
    [InlineData(@"\p{^L}", @"\P{L}")]
    [InlineData(@"(?i:'s|'t)|\s+(?!\S)", @"(?i:'s|'t)|\s+(?!\S)")]
    public void Translate_OnigurumaToDotNet(string onig, string dotnet) => Assert.Equal(dotnet, HfRegex.Translate(onig));

    [Theory]
    [InlineData(@"\p{Han}+")]
    [InlineData(@"[[:alpha:]]")]
    [InlineData(@"[a-z&&[^e]]")]
    [InlineData(@"\K")]
    [InlineData(@"(a")]
    public void Unsupported_IsAnErrorNamingFileAndField(string pattern)
    {
        var e = Assert.Throws<TextDataException>(() => HfRegex.Compile(pattern, new HfJsonReader("dir/tokenizer.json"), "pre_tokenizer.pattern.Regex"));
        Assert.Contains("dir/tokenizer.json", e.Message);
        Assert.Equal("pre_tokenizer.pattern.Regex", e.Field);
    }

    [Fact]
    public void CatastrophicPattern_FailsCleanlyOnEncode()
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(HfTokenizerFuzzer.Seeds()[0])!;
        root["pre_tokenizer"]!["pretokenizers"]![0]!["pattern"]!["Regex"] = "(x+x+)+y";
        string json = root.ToJsonString();
        var tokenizer = HfTokenizer.FromJson(Encoding.UTF8.GetBytes(json), "evil/tokenizer.json", new HfTokenizerConfig());
        var e = Assert.Throws<TextDataException>(() => tokenizer.EncodeAsHf(new string('x', 48)));
        Assert.Contains("evil/tokenizer.json", e.Message);
        Assert.Contains("ran past", e.Message);
    }
}
