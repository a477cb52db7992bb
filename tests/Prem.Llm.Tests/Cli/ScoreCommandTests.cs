using System.Text.Json;
using Prem.Llm.Tests.Modeling;

namespace Prem.Llm.Tests.Cli;

public class ScoreCommandTests
{
    static readonly TinyGqaGolden _golden = TinyGqaGolden.Load();

    [Fact]
    public void Reproduces_golden_log_probs_and_argmax()
    {
        string dir = TestData.TempDirectory();
        string input = Path.Combine(dir, "in.jsonl"), output = Path.Combine(dir, "out.jsonl");
        File.WriteAllLines(input, _golden.Prompts.Select(p => JsonSerializer.Serialize(new { ids = p })));
        var (exit, _, err) = CliRun.Prem("score", "--model", TinyGqaGolden.ModelDirectory, "--input", input, "--output", output);
        Assert.True(exit == 0, err);
        var lines = File.ReadAllLines(output);
        Assert.Equal(_golden.Prompts.Length, lines.Length);
        for (int p = 0; p < lines.Length; p++)
        {
            using var doc = JsonDocument.Parse(lines[p]);
            var root = doc.RootElement;
            var prompt = _golden.Prompts[p];
            Assert.Equal(prompt, root.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()));
            var logprobs = root.GetProperty("logprobs").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            var argmax = root.GetProperty("argmax").EnumerateArray().Select(x => x.GetInt32()).ToArray();
            Assert.Equal(prompt.Length - 1, logprobs.Length);
            Assert.Equal(prompt.Length, argmax.Length);
            for (int t = 0; t < prompt.Length; t++)
            {
                var row = _golden.Logits[p][t];
                // The golden argmax, lowest id on a tie.
                Assert.Equal(Array.IndexOf(row, row.Max()), argmax[t]);
                if (t + 1 < prompt.Length)
                {
                    double max = row.Max();
                    double logSumExp = max + Math.Log(row.Sum(x => Math.Exp(x - max)));
                    Assert.Equal(row[prompt[t + 1]] - logSumExp, logprobs[t], 4);
                }
            }
            double nll = -logprobs.Average();
            Assert.Equal(nll, root.GetProperty("nll").GetDouble(), 10);
            Assert.Equal(Math.Exp(nll), root.GetProperty("ppl").GetDouble(), 8);
        }
    }

    [Fact]
    public void Bad_lines_name_the_file_and_line()
    {
        string dir = TestData.TempDirectory();
        string input = Path.Combine(dir, "in.jsonl");
        File.WriteAllLines(input, ["{\"ids\":[1,2,3]}", "", "{\"ids\":[1, \"x\"]}"]);
        var (exit, _, err) = CliRun.Prem("score", "--model", TinyGqaGolden.ModelDirectory, "--input", input);
        Assert.Equal(1, exit);
        Assert.Contains($"{input}:3", err);
        File.WriteAllLines(input, ["{\"ids\":[1,2,3]", "{}"]);
        Assert.Contains($"{input}:1: not valid JSON", CliRun.Prem("score", "--model", TinyGqaGolden.ModelDirectory, "--input", input).Err);
        File.WriteAllLines(input, ["{\"ids\":[1,600]}"]);
        Assert.Contains("600 is outside the vocabulary", CliRun.Prem("score", "--model", TinyGqaGolden.ModelDirectory, "--input", input).Err);
        File.WriteAllLines(input, ["{\"text\":\"hi\"}"]);
        Assert.Contains("needs a tokenizer", CliRun.Prem("score", "--model", TinyGqaGolden.ModelDirectory, "--input", input).Err);
    }

    [Fact]
    public void Missing_folder_and_bad_config_fail_with_one_message()
    {
        var (exit, _, err) = CliRun.Prem("score", "--model", "/nonexistent", "--input", "x.jsonl");
        Assert.Equal(1, exit);
        Assert.Equal("prem: error: model folder not found: /nonexistent", err.Trim());
        string dir = TestData.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "config.json"), "{\"hidden_size\": 64, \"intermediate_size\": 8, \"num_hidden_layers\": 1, \"num_attention_heads\": 3, \"vocab_size\": 10}");
        var bad = CliRun.Prem("score", "--model", dir, "--input", "x.jsonl");
        Assert.Equal(1, bad.Exit);
        Assert.Contains("hidden_size", bad.Err);
        Assert.Single(bad.Err.Trim().Split('\n'));
    }
}
