using Prem.Llm.Tests.Evaluation;
using static Prem.Llm.Tests.Cli.RecipeTestData;

namespace Prem.Llm.Tests.Cli;

/// <summary>Ordinary failures of every command: one line, <c>prem: error: …</c>, exit 1, no stack trace; outputs checked before work.</summary>
public class CliErrorTests
{
    static void OneErrorLine((int Exit, string Out, string Err) run, string expectedStart)
    {
        Assert.True(run.Exit == 1, $"exit {run.Exit}: {run.Err}");
        Assert.DoesNotContain("Unhandled exception", run.Err);
        Assert.DoesNotContain("   at ", run.Err);
        string line = Assert.Single(run.Err.Trim().Split('\n'));
        Assert.StartsWith(expectedStart, line);
    }

    /// <summary>stories260K's config and weights, optionally without the tokenizer or with broken weights.</summary>
    static string ModelCopy(bool tokenizer, bool brokenWeights = false)
    {
        string dir = TestData.TempDirectory();
        File.Copy(TestData.Path("stories260K", "config.json"), Path.Combine(dir, "config.json"));
        if (brokenWeights) File.WriteAllText(Path.Combine(dir, "model.safetensors"), "not a safetensors file");
        else File.Copy(TestData.Path("stories260K", "model.safetensors"), Path.Combine(dir, "model.safetensors"));
        if (tokenizer) File.Copy(TestData.Path("stories260K", "tokenizer.model"), Path.Combine(dir, "tokenizer.model"));
        return dir;
    }

    [Fact]
    public void Eval_with_a_bad_model_file_or_no_tokenizer_prints_one_line()
    {
        OneErrorLine(CliRun.Prem("eval", "--model", ModelCopy(tokenizer: true, brokenWeights: true), "--tasks", "arc_easy",
            "--data-dir", EvalTestData.SliceDir), "prem: error: ");
        string noTokenizer = ModelCopy(tokenizer: false);
        OneErrorLine(CliRun.Prem("eval", "--model", noTokenizer, "--tasks", "arc_easy", "--data-dir", EvalTestData.SliceDir),
            $"prem: error: {noTokenizer} has no tokenizer");
    }

    [Fact]
    public void Eval_checks_its_output_before_evaluating()
    {
        string dir = TestData.TempDirectory();
        string file = Path.Combine(dir, "a-file");
        File.WriteAllText(file, "");
        var run = CliRun.Prem("eval", "--model", TestData.Path("stories260K"), "--tasks", "arc_easy", "--limit", "2",
            "--data-dir", EvalTestData.SliceDir, "--output", Path.Combine(file, "results.json"));
        OneErrorLine(run, $"prem: error: --output: cannot write {Path.Combine(file, "results.json")}");
        Assert.Equal("", run.Out);
        OneErrorLine(CliRun.Prem("eval", "--model", TestData.Path("stories260K"), "--data-dir", Path.Combine(dir, "none")),
            $"prem: error: --data-dir: folder not found: {Path.Combine(dir, "none")}");
    }

    [Fact]
    public void Prepare_errors_name_the_flag_and_use_the_one_prefix()
    {
        string dir = TestData.TempDirectory();
        string corpus = Path.Combine(dir, "c.jsonl");
        File.WriteAllText(corpus, "{\"text\":\"hi\"}\n");
        OneErrorLine(CliRun.Prem("prepare", "--tokenizer", TestData.Path("stories260K", "tokenizer.model"), "--input", corpus,
            "--output", Path.Combine(dir, "out"), "--seq-len", "0"), "prem: error: --seq-len must be positive, got 0.");
        OneErrorLine(CliRun.Prem("prepare", "--tokenizer", Path.Combine(dir, "no-tokenizer"), "--input", corpus,
            "--output", Path.Combine(dir, "out"), "--seq-len", "8"), "prem: error: ");
    }

    [Fact]
    public void Prepare_checks_its_input_and_output_before_loading_the_tokenizer()
    {
        string dir = TestData.TempDirectory();
        string corpus = Path.Combine(dir, "c.jsonl"), file = Path.Combine(dir, "a-file");
        File.WriteAllText(corpus, "{\"text\":\"hi\"}\n");
        File.WriteAllText(file, "");
        // The tokenizer path does not exist: each error below comes first, so the tokenizer was never loaded.
        string noTokenizer = Path.Combine(dir, "no-tokenizer");
        var output = CliRun.Prem("prepare", "--tokenizer", noTokenizer, "--input", corpus, "--output", Path.Combine(file, "out"), "--seq-len", "8");
        OneErrorLine(output, $"prem: error: {Path.Combine(file, "out")}: cannot write the output folder: ");
        var input = CliRun.Prem("prepare", "--tokenizer", noTokenizer, "--input", Path.Combine(dir, "none.jsonl"), "--output", Path.Combine(dir, "out"), "--seq-len", "8");
        OneErrorLine(input, $"prem: error: {Path.Combine(dir, "none.jsonl")}: input file or folder not found");
        Assert.False(Directory.Exists(Path.Combine(dir, "out")));   // the check leaves no empty output folder behind
    }

    [Fact]
    public void Generate_names_the_flag_not_the_property()
    {
        var run = CliRun.Prem("generate", "--model", TestData.Path("stories260K"), "--prompt-ids", "1", "--top-p", "0", "--format", "ids");
        OneErrorLine(run, "prem: error: --top-p must be in (0, 1], got 0.");
    }

    [Fact]
    public void Score_and_tokenize_create_a_missing_output_folder_and_refuse_empty_input()
    {
        string dir = TestData.TempDirectory();
        string input = Path.Combine(dir, "in.jsonl"), empty = Path.Combine(dir, "empty.jsonl");
        File.WriteAllLines(input, ["{\"text\":\"Once upon a time\"}"]);
        File.WriteAllText(empty, "\n\n");
        string scored = Path.Combine(dir, "new", "deeper", "scores.jsonl");
        var score = CliRun.Prem("score", "--model", TestData.Path("stories260K"), "--input", input, "--output", scored);
        Assert.True(score.Exit == 0, score.Err);
        Assert.Single(File.ReadAllLines(scored));
        string tokens = Path.Combine(dir, "other", "ids.jsonl");
        var tokenize = CliRun.Prem("tokenize", "--tokenizer", TestData.Path("stories260K"), "--input", input, "--output", tokens);
        Assert.True(tokenize.Exit == 0, tokenize.Err);
        Assert.Single(File.ReadAllLines(tokens));

        OneErrorLine(CliRun.Prem("score", "--model", TestData.Path("stories260K"), "--input", empty), $"prem: error: {empty}: no records");
        OneErrorLine(CliRun.Prem("tokenize", "--tokenizer", TestData.Path("stories260K"), "--input", empty), $"prem: error: {empty}: no records");
        OneErrorLine(CliRun.Prem("tokenize", "--tokenizer", TestData.Path("stories260K"), "--input", Path.Combine(dir, "missing.jsonl")), "prem: error: ");
    }

    [Fact]
    public void Sft_with_a_missing_model_folder_says_so()
    {
        OneErrorLine(CliRun.Prem("sft", "--config", Config("tiny-sft.yaml"), "--set", "model.model_args.model_name=/no/such/model"),
            "prem: error: model.model_args.model_name: model folder not found: /no/such/model");
        OneErrorLine(CliRun.Prem("dpo", "--config", Config("tiny-dpo.yaml"), "--set", "model_name_or_path=/no/such/model"),
            "prem: error: model_name_or_path: model folder not found: /no/such/model");
    }

    [Fact]
    public void Sft_and_dpo_with_too_little_data_name_the_file_and_what_one_step_needs()
    {
        string dir = TestData.TempDirectory();
        string model = StoriesChat(dir);
        string empty = Path.Combine(dir, "empty.jsonl");
        File.WriteAllText(empty, "");
        var sft = CliRun.Prem("sft", "--config", Config("tiny-sft.yaml"), "--set", $"model.model_args.model_name={model}",
            "--set", $"data.train_path={empty}", "--set", $"output_dir={Path.Combine(dir, "sft")}");
        OneErrorLine(sft, "prem: error: ");
        Assert.Contains(empty, sft.Err);
        Assert.DoesNotContain("Parameter", sft.Err);

        string two = DpoJsonl(dir, "two.jsonl", count: 1);
        var dpo = CliRun.Prem("dpo", "--config", Config("tiny-dpo.yaml"), "--set", $"model_name_or_path={model}",
            "--set", $"train_path={two}", "--set", $"output_dir={Path.Combine(dir, "dpo")}");
        OneErrorLine(dpo, $"prem: error: train_path: {two}: 1 usable preference pairs, fewer than one step needs: 2 (batch size 2 × 1 ranks)");
    }
}
