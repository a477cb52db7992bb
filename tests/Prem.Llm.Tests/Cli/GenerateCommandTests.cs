using Prem.Llm.Tests.Modeling;

namespace Prem.Llm.Tests.Cli;

// With the CPU kernel tests: they switch the native kernels off, and the stats name the kernels that ran.
[Collection(nameof(Prem.Llm.Tests.Generation.Cpu.CpuKernelCollection))]
public class GenerateCommandTests
{
    static readonly TinyGqaGolden _golden = TinyGqaGolden.Load();

    [Fact]
    public void Greedy_ids_reproduce_golden_continuations()
    {
        for (int p = 0; p < _golden.Prompts.Length; p++)
        {
            var (exit, output, err) = CliRun.Prem("generate", "--model", TinyGqaGolden.ModelDirectory,
                "--prompt-ids", string.Join(",", _golden.Prompts[p]), "--max-new-tokens", "20", "--temperature", "0", "--format", "ids");
            Assert.True(exit == 0, err);
            Assert.Equal($"{{\"ids\":[{string.Join(",", _golden.Greedy[p])}]}}", output.Trim());
        }
    }

    [Theory]
    [InlineData("int8", "cpu-int8")]
    [InlineData("bf16", "cpu-bf16-copy")]
    public void Stats_go_to_stderr_and_copied_weights_keep_the_story(string weights, string engine)
    {
        var run = CliRun.Prem("generate", "--model", TestData.Path("stories260K"), "--prompt-ids", "1", "--max-new-tokens", "40",
            "--weights", weights, "--stats");
        Assert.True(run.Exit == 0, run.Err);
        Assert.StartsWith("Once upon a time, there was a little girl named Lily.", run.Out.TrimStart());
        var native = weights == "int8" ? Prem.Llm.Native.NativeCpuKernels.Int8 : Prem.Llm.Native.NativeCpuKernels.Bf16;
        string kernels = native.Available ? native.Name : "managed";
        Assert.Matches($@"prem: stats: {engine} \({kernels} kernels\); prompt 1 tokens, time to first token [0-9.]+ ms \(prefill [0-9.]+ tok/s\); decode 39 tokens at [0-9.]+ tok/s", run.Err);
    }

    [Fact]
    public void Unknown_weights_are_refused()
    {
        var bad = CliRun.Prem("generate", "--model", TestData.Path("stories260K"), "--prompt-ids", "1", "--weights", "int4");
        Assert.NotEqual(0, bad.Exit);
        Assert.Contains("int4", bad.Err);
    }

    [Fact]
    public void Sampling_options_are_seeded()
    {
        string[] args = ["generate", "--model", TinyGqaGolden.ModelDirectory, "--prompt-ids", "1,2,3", "--max-new-tokens", "12",
            "--temperature", "1.2", "--top-k", "50", "--top-p", "0.9", "--repetition-penalty", "1.1", "--seed", "5", "--format", "ids"];
        var a = CliRun.Prem(args);
        var b = CliRun.Prem(args);
        Assert.Equal(0, a.Exit);
        Assert.Equal(a.Out, b.Out);
    }

    [Fact]
    public void Text_format_decodes_with_the_folder_tokenizer()
    {
        var (exit, output, err) = CliRun.Prem("generate", "--model", TestData.Path("stories260K"), "--prompt", "Once upon a time,",
            "--max-new-tokens", "12");
        Assert.True(exit == 0, err);
        Assert.StartsWith(" there was a little girl named Lily", output);
        var fromBos = CliRun.Prem("generate", "--model", TestData.Path("stories260K"), "--prompt-ids", "1", "--max-new-tokens", "40");
        Assert.StartsWith("Once upon a time, there was a little girl named Lily. She loved to play outside in the park.", fromBos.Out.TrimStart());
    }

    [Theory]
    [InlineData("--prompt-ids", "1,x", "\"x\" is not a token id")]
    [InlineData("--prompt-ids", "1,9999", "9999")]
    [InlineData("--prompt", "hello", "has no tokenizer")]
    public void Bad_prompts_print_one_clear_error(string option, string value, string fragment)
    {
        var (exit, _, err) = CliRun.Prem("generate", "--model", TinyGqaGolden.ModelDirectory, option, value, "--format", "ids");
        Assert.Equal(1, exit);
        Assert.Contains(fragment, err);
    }

    [Fact]
    public void Negative_token_budget_is_rejected()
    {
        var (exit, _, err) = CliRun.Prem("generate", "--model", TinyGqaGolden.ModelDirectory, "--prompt-ids", "1", "--max-new-tokens", "-1", "--format", "ids");
        Assert.Equal(1, exit);
        Assert.Equal("prem: error: --max-new-tokens must be ≥ 0, got -1.", err.Trim());
    }

    [Fact]
    public void Needs_exactly_one_prompt_option()
    {
        var (exit, _, err) = CliRun.Prem("generate", "--model", TinyGqaGolden.ModelDirectory, "--format", "ids");
        Assert.Equal(1, exit);
        Assert.Contains("exactly one of --prompt and --prompt-ids", err);
    }

    static string FolderWithGenerationConfig(string json)
    {
        string dir = TestData.TempDirectory();
        foreach (var file in Directory.EnumerateFiles(TinyGqaGolden.ModelDirectory))
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(dir, "generation_config.json"), json);
        return dir;
    }

    [Fact]
    public void Generation_config_sets_stop_ids_and_defaults_and_explicit_flags_win()
    {
        int[] greedy = _golden.Greedy[0];
        string prompt = string.Join(",", _golden.Prompts[0]);
        string Ids(IEnumerable<int> ids) => $"{{\"ids\":[{string.Join(",", ids)}]}}";

        // Its eos_token_id stops generation (the stop id is kept), in place of config.json's.
        int stop = greedy[2];
        string withEos = FolderWithGenerationConfig($$"""{"eos_token_id": [{{stop}}], "max_new_tokens": 20}""");
        var stopped = CliRun.Prem("generate", "--model", withEos, "--prompt-ids", prompt, "--format", "ids");
        Assert.True(stopped.Exit == 0, stopped.Err);
        Assert.Equal(Ids(greedy.Take(Array.IndexOf(greedy, stop) + 1)), stopped.Out.Trim());

        // Its max_new_tokens is the default; --max-new-tokens wins.
        string withLength = FolderWithGenerationConfig("""{"max_new_tokens": 4, "eos_token_id": 511}""");
        Assert.DoesNotContain(511, greedy);
        Assert.Equal(Ids(greedy.Take(4)), CliRun.Prem("generate", "--model", withLength, "--prompt-ids", prompt, "--format", "ids").Out.Trim());
        Assert.Equal(Ids(greedy.Take(6)), CliRun.Prem("generate", "--model", withLength, "--prompt-ids", prompt, "--max-new-tokens", "6", "--format", "ids").Out.Trim());

        // do_sample makes the default sampled; --temperature 0 gives greedy back.
        string sampled = FolderWithGenerationConfig("""{"do_sample": true, "temperature": 5.0, "max_new_tokens": 20, "eos_token_id": 511}""");
        Assert.NotEqual(Ids(greedy), CliRun.Prem("generate", "--model", sampled, "--prompt-ids", prompt, "--seed", "1", "--format", "ids").Out.Trim());
        Assert.Equal(Ids(greedy), CliRun.Prem("generate", "--model", sampled, "--prompt-ids", prompt, "--temperature", "0", "--format", "ids").Out.Trim());
    }

    [Fact]
    public void A_bad_generation_config_is_one_clear_error()
    {
        string dir = FolderWithGenerationConfig("""{"top_p": 2}""");
        var (exit, _, err) = CliRun.Prem("generate", "--model", dir, "--prompt-ids", "1", "--format", "ids");
        Assert.Equal(1, exit);
        Assert.Contains("generation_config.json: top_p: 2 must be in (0, 1].", err);
    }
}
