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

    [Fact]
    public void Non_utf8_input_names_file_and_offset_or_with_the_flag_is_replaced_and_counted_per_file()
    {
        string dir = TestData.TempDirectory();
        string input = Path.Combine(dir, "corpus");
        Directory.CreateDirectory(input);
        string good = Path.Combine(input, "a.jsonl"), bad = Path.Combine(input, "b.jsonl");
        File.WriteAllText(good, "{\"text\":\"Once upon a time there was a cat.\"}\n");
        const string before = "{\"text\":\"The caf";
        File.WriteAllBytes(bad, [.. System.Text.Encoding.UTF8.GetBytes(before), 0xE9, .. "\"}\n{\"text\":\"A d"u8, 0xF6, .. "g.\"}\n"u8]);
        string[] args = ["prepare", "--tokenizer", TestData.Path("stories260K"), "--input", input, "--seq-len", "8"];

        var (exit, output, err) = CliRun.Prem([.. args, "--output", Path.Combine(dir, "strict")]);
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal($"prem: error: {bad}: not valid UTF-8 at byte offset {before.Length} (save the file as UTF-8)", err.Trim());

        (exit, output, err) = CliRun.Prem([.. args, "--output", Path.Combine(dir, "replaced"), "--replace-invalid-utf8"]);
        Assert.True(exit == 0, err);
        Assert.Equal($"prem: note: {bad}: 2 invalid UTF-8 sequences replaced with U+FFFD (--replace-invalid-utf8).", err.Trim().Split('\n')[^1]);
        using var summary = JsonDocument.Parse(output);
        Assert.Equal(3, summary.RootElement.GetProperty("documents").GetInt64());
        var replaced = summary.RootElement.GetProperty("invalid_utf8_replaced");
        Assert.Equal(2, replaced.GetProperty(bad).GetInt64());
        Assert.Single(replaced.EnumerateObject());
    }
}
