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
}
