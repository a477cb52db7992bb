using Prem.Llm.Modeling;
using static Prem.Llm.Tests.Cli.RecipeTestData;

namespace Prem.Llm.Tests.Cli;

public class SftCommandTests
{
    [Fact]
    public void Fine_tunes_stories260K_on_conversations_and_exports_bf16_with_the_tokenizer()
    {
        string dir = TestData.TempDirectory();
        string model = StoriesChat(dir);
        string data = SftJsonl(dir), run = Path.Combine(dir, "run");
        var (exit, output, err) = CliRun.Prem("sft", "--config", Config("tiny-sft.yaml"),
            "--set", $"model.model_args.model_name={model}", "--set", $"data.train_path={data}", "--set", $"data.val_path={data}",
            "--set", $"output_dir={run}", "--set", "model.model_args.dtype=bfloat16");
        Assert.True(exit == 0, err);
        Assert.Contains("step 4/4 | loss", output);
        var steps = StepLines(run);
        Assert.Equal(4, steps.Count);
        Assert.All(steps, s => Assert.True(double.IsFinite((double)s["loss"]!) && (double)s["loss"]! > 0));

        string final = Path.Combine(run, "final");
        Assert.True(File.Exists(Path.Combine(final, "tokenizer.model")));
        Assert.Contains("\"bfloat16\"", File.ReadAllText(Path.Combine(final, "config.json")));
        using var trained = LlamaForCausalLM.FromPretrained(final);
        Assert.Equal(TorchSharp.torch.ScalarType.BFloat16, trained.Dtype);
        Assert.Equal(516, trained.Config.VocabSize);
    }

    [Fact]
    public void A_missing_jsonl_file_is_named()
    {
        var (exit, _, err) = CliRun.Prem("sft", "--config", Config("tiny-sft.yaml"),
            "--set", $"model.model_args.model_name={Stories}", "--set", "data.train_path=/no/such.jsonl");
        Assert.Equal(1, exit);
        Assert.Equal("prem: error: data.train_path: file not found: /no/such.jsonl", err.Trim());
    }

    [Fact]
    public void Non_utf8_jsonl_names_file_and_offset_or_with_the_recipe_key_is_replaced_and_counted()
    {
        string dir = TestData.TempDirectory();
        string model = StoriesChat(dir);
        string data = SftJsonl(dir), run = Path.Combine(dir, "run");
        byte[] bytes = File.ReadAllBytes(data);
        int offset = Array.IndexOf(bytes, (byte)'?');
        bytes[offset] = 0xBF;   // a Latin-1 "¿": a continuation byte with no lead
        File.WriteAllBytes(data, bytes);
        string[] args = ["sft", "--config", Config("tiny-sft.yaml"), "--set", $"model.model_args.model_name={model}",
            "--set", $"data.train_path={data}", "--set", $"output_dir={run}", "--set", "trainer.max_steps=1"];

        var (exit, _, err) = CliRun.Prem(args);
        Assert.Equal(1, exit);
        Assert.Equal($"prem: error: {data}: not valid UTF-8 at byte offset {offset} (save the file as UTF-8)", err.Trim());

        var (ok, output, notes) = CliRun.Prem([.. args, "--set", "data.replace_invalid_utf8=true"]);
        Assert.True(ok == 0, notes);
        Assert.Contains($"notice: {data}: 1 invalid UTF-8 sequence replaced with U+FFFD (data.replace_invalid_utf8).", notes);
        Assert.Contains("done: 1 steps", output);
    }

    [Fact]
    public void The_replace_key_is_refused_for_pretraining_which_reads_prepared_shards()
    {
        var (exit, _, err) = CliRun.Prem("pretrain", "--config", Config("tiny-pretrain.yaml"), "--set", "data.replace_invalid_utf8=true");
        Assert.Equal(1, exit);
        Assert.Contains("replace_invalid_utf8: applies to SFT's JSONL files", err);
        Assert.Contains("prem prepare --replace-invalid-utf8", err);
    }
}
