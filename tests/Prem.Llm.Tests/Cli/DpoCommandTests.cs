using Prem.Llm.Modeling;
using Prem.Llm.Recipes;
using static Prem.Llm.Tests.Cli.RecipeTestData;

namespace Prem.Llm.Tests.Cli;

public class DpoCommandTests
{
    [Fact]
    public void Aligns_stories260K_with_a_cached_reference_starting_at_ln2()
    {
        string dir = TestData.TempDirectory();
        string model = StoriesChat(dir);
        string train = DpoJsonl(dir), val = DpoJsonl(dir, "val.jsonl", 4), run = Path.Combine(dir, "run");
        var (exit, output, err) = CliRun.Prem("dpo", "--config", Config("tiny-dpo.yaml"),
            "--set", $"model_name_or_path={model}", "--set", $"train_path={train}", "--set", $"val_path={val}", "--set", $"output_dir={run}");
        Assert.True(exit == 0, err);
        Assert.Contains("step 3/3 | loss", output);
        Assert.True(File.Exists(Path.Combine(run, DpoRecipeBuilder.ReferenceCacheFile)));
        Assert.Contains("reference log-probs: computing for", err);
        Assert.Contains("(100%, ", err);

        var steps = StepLines(run);
        Assert.Equal(3, steps.Count);
        // At step 1 the policy is the reference: every margin is 0, so the sigmoid loss is ln 2 and rewards are 0.
        Assert.Equal(Math.Log(2), (double)steps[0]["loss"]!, 4);
        Assert.Equal(0.0, (double)steps[0]["rewards/chosen"]!, 5);
        Assert.Equal(0.0, (double)steps[0]["rewards/margins"]!, 5);
        Assert.True(steps[^1].ContainsKey("rewards/accuracies"));

        using var trained = LlamaForCausalLM.FromPretrained(Path.Combine(run, "final"));
        Assert.Equal(516, trained.Config.VocabSize);
        Assert.True(File.Exists(Path.Combine(run, "final", "tokenizer.model")));
    }

    [Fact]
    public void A_live_reference_model_gives_the_same_first_loss()
    {
        string dir = TestData.TempDirectory();
        string model = StoriesChat(dir);
        string train = DpoJsonl(dir), run = Path.Combine(dir, "run");
        var (exit, _, err) = CliRun.Prem("dpo", "--config", Config("tiny-dpo.yaml"), "--set", "max_steps=1",
            "--set", $"model_name_or_path={model}", "--set", $"train_path={train}", "--set", $"output_dir={run}",
            "--set", "precompute_ref_log_probs=false");
        Assert.True(exit == 0, err);
        Assert.False(File.Exists(Path.Combine(run, DpoRecipeBuilder.ReferenceCacheFile)));
        Assert.Equal(Math.Log(2), (double)StepLines(run)[0]["loss"]!, 4);
    }

    [Fact]
    public void An_unknown_flat_key_fails_naming_file_and_line()
    {
        string dir = TestData.TempDirectory();
        string config = Path.Combine(dir, "dpo.yaml");
        File.WriteAllText(config, File.ReadAllText(Config("tiny-dpo.yaml")).Replace("beta: 0.1", "betta: 0.1"));
        int line = File.ReadAllLines(config).ToList().FindIndex(l => l.StartsWith("betta", StringComparison.Ordinal)) + 1;
        var (exit, _, err) = CliRun.Prem("dpo", "--config", config);
        Assert.Equal(1, exit);
        Assert.Equal($"prem: error: {config}:{line}: betta: unknown key", err.Trim());
    }
}
