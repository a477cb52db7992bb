using System.Text.Json;
using Prem.Llm.Data;
using Prem.Llm.Recipes;
using Prem.Llm.Tests.Modeling;

namespace Prem.Llm.Tests.Cli;

/// <summary>Inputs past the model's window, and files that are not UTF-8.</summary>
public class CliInputEdgeTests
{
    // tiny-gqa: max_position_embeddings 64, vocabulary 512.
    static string LongIds(int count) => string.Join(",", Enumerable.Range(0, count).Select(i => 3 + i % 200));

    [Fact]
    public void A_prompt_past_the_window_warns_or_is_cut_from_the_left_with_the_flag()
    {
        var warned = CliRun.Prem("generate", "--model", TinyGqaGolden.ModelDirectory, "--prompt-ids", LongIds(70), "--max-new-tokens", "2", "--format", "ids");
        Assert.True(warned.Exit == 0, warned.Err);
        Assert.Contains("prem: warning: the prompt (70 tokens) and --max-new-tokens 2 run past the model's 64-token window", warned.Err);

        var cut = CliRun.Prem("generate", "--model", TinyGqaGolden.ModelDirectory, "--prompt-ids", LongIds(70), "--max-new-tokens", "2", "--format", "ids", "--truncate-prompt");
        Assert.True(cut.Exit == 0, cut.Err);
        Assert.Contains("the prompt (70 tokens) was cut from the left to its last 62 tokens", cut.Err);
        var same = CliRun.Prem("generate", "--model", TinyGqaGolden.ModelDirectory, "--prompt-ids", string.Join(",", LongIds(70).Split(',')[^62..]),
            "--max-new-tokens", "2", "--format", "ids");
        Assert.Equal(same.Out, cut.Out);
        Assert.Equal("", same.Err);
        Assert.EndsWith("\n", cut.Out);
    }

    [Fact]
    public void A_scored_sequence_past_the_window_warns_or_is_cut_from_the_left_with_the_flag()
    {
        string dir = TestData.TempDirectory();
        string input = Path.Combine(dir, "long.jsonl");
        File.WriteAllText(input, $"{{\"ids\":[{LongIds(70)}]}}\n");
        var warned = CliRun.Prem("score", "--model", TinyGqaGolden.ModelDirectory, "--input", input);
        Assert.True(warned.Exit == 0, warned.Err);
        Assert.Contains($"prem: warning: {input}:1: the sequence (70 tokens) is longer than the model's 64-token window", warned.Err);
        var cut = CliRun.Prem("score", "--model", TinyGqaGolden.ModelDirectory, "--input", input, "--truncate");
        Assert.True(cut.Exit == 0, cut.Err);
        Assert.Contains("was cut from the left to its last 64 tokens", cut.Err);
        using var json = JsonDocument.Parse(cut.Out);
        Assert.Equal(64, json.RootElement.GetProperty("ids").GetArrayLength());
    }

    static byte[] WithBadByte(string before, string after) => [.. System.Text.Encoding.UTF8.GetBytes(before), 0xFF, .. System.Text.Encoding.UTF8.GetBytes(after)];

    [Fact]
    public void Non_utf8_jsonl_names_the_file_and_byte_offset()
    {
        string dir = TestData.TempDirectory();
        string input = Path.Combine(dir, "latin1.jsonl");
        string before = "{\"text\":\"caf";
        File.WriteAllBytes(input, WithBadByte(before, "\"}\n"));
        var tokenize = CliRun.Prem("tokenize", "--tokenizer", TestData.Path("stories260K"), "--input", input);
        Assert.Equal(1, tokenize.Exit);
        Assert.Equal($"prem: error: {input}: not valid UTF-8 at byte offset {before.Length} (save the file as UTF-8)", tokenize.Err.Trim());
        var score = CliRun.Prem("score", "--model", TestData.Path("stories260K"), "--input", input);
        Assert.Equal(tokenize.Err, score.Err);

        File.WriteAllBytes(input, [.. WithBadByte(before, "\"}\n"), .. WithBadByte("{\"text\":\"x", "\"}\n")]);
        var replaced = CliRun.Prem("tokenize", "--tokenizer", TestData.Path("stories260K"), "--input", input, "--replace-invalid-utf8");
        Assert.True(replaced.Exit == 0, replaced.Err);
        Assert.Contains($"prem: note: {input}: 2 invalid UTF-8 sequences replaced with U+FFFD (--replace-invalid-utf8).", replaced.Err);
        Assert.Equal(2, replaced.Out.Trim().Split('\n').Length);
    }

    [Fact]
    public void The_corpus_reader_fails_at_the_first_invalid_byte_even_across_reads()
    {
        // "é€😀" are 2-, 3- and 4-byte characters; read one byte at a time, each is split across reads.
        byte[] good = System.Text.Encoding.UTF8.GetBytes("aé€😀b");
        using (var ok = new Utf8CheckingStream(new MemoryStream(good), "x.txt"))
        {
            var buffer = new byte[1];
            while (ok.Read(buffer, 0, 1) > 0) { }
        }
        byte[] bad = [.. good, 0xE2, 0x82, (byte)'c'];   // a 3-byte sequence cut short
        using var stream = new Utf8CheckingStream(new MemoryStream(bad), "x.txt");
        var e = Assert.Throws<DataFormatException>(() => { var b = new byte[1]; while (stream.Read(b, 0, 1) > 0) { } });
        Assert.Contains($"not valid UTF-8 at byte offset {good.Length}", e.Message);
        Assert.Contains("x.txt", e.Message);

        string dir = TestData.TempDirectory();
        string sft = Path.Combine(dir, "chats.jsonl");
        File.WriteAllBytes(sft, WithBadByte("{\"messages\":[{\"role\":\"user\",\"content\":\"h", "\"}]}\n"));
        var load = Assert.Throws<DataFormatException>(() => SftDataset.Load(sft, new Prem.Llm.Tests.Data.ByteTokenizer()));
        Assert.Contains("not valid UTF-8 at byte offset 40", load.Message);
    }

    [Fact]
    public void Non_utf8_yaml_names_the_file_and_byte_offset()
    {
        string dir = TestData.TempDirectory();
        string yaml = Path.Combine(dir, "r.yaml");
        File.WriteAllBytes(yaml, WithBadByte("output_dir: caf", "\n"));
        var e = Assert.Throws<RecipeException>(() => RecipeYaml.LoadDpo(yaml));
        Assert.Equal($"{yaml}: not valid UTF-8 at byte offset 15 (save the file as UTF-8)", e.Message);
    }
}
