using System.Text.Json;

namespace Prem.Llm.Tests.Cli;

public class PrepareCommandTests
{
    [Fact]
    public void Prepares_shards_with_a_real_tokenizer_and_prints_the_summary()
    {
        string dir = TestData.TempDirectory();
        string corpus = Path.Combine(dir, "corpus.jsonl");
        File.WriteAllLines(corpus, Enumerable.Range(0, 40).Select(i => JsonSerializer.Serialize(new { text = $"Once upon a time there was a cat number {i}. It liked to play." })));
        var (exit, output, err) = CliRun.Prem("prepare", "--tokenizer", TestData.Path("stories260K", "tokenizer.model"),
            "--input", corpus, "--output", Path.Combine(dir, "out"), "--seq-len", "32", "--workers", "2");
        Assert.True(exit == 0, err);
        using var summary = JsonDocument.Parse(output);
        Assert.Equal(40, summary.RootElement.GetProperty("documents").GetInt64());
        Assert.Equal(0, summary.RootElement.GetProperty("padding_tokens").GetInt64());
        Assert.True(summary.RootElement.GetProperty("sequences").GetInt64() > 0);
        Assert.True(File.Exists(Path.Combine(dir, "out", "manifest.json")));
    }
}
