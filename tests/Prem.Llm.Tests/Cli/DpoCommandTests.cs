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

    [Fact]
    public void Non_utf8_pairs_name_file_and_offset_or_with_the_recipe_key_are_replaced_and_counted()
    {
        string dir = TestData.TempDirectory();
        string model = StoriesChat(dir);
        string train = DpoJsonl(dir), val = DpoJsonl(dir, "val.jsonl", 4), run = Path.Combine(dir, "run");
        byte[] bytes = File.ReadAllBytes(val);
        int offset = Array.IndexOf(bytes, (byte)'?');
        bytes[offset] = 0xFF;
        bytes[Array.LastIndexOf(bytes, (byte)'?')] = 0xFE;
        File.WriteAllBytes(val, bytes);
        string[] args = ["dpo", "--config", Config("tiny-dpo.yaml"), "--set", "max_steps=1", "--set", $"model_name_or_path={model}",
            "--set", $"train_path={train}", "--set", $"val_path={val}", "--set", $"output_dir={run}"];

        var (exit, _, err) = CliRun.Prem(args);
        Assert.Equal(1, exit);
        Assert.Equal($"prem: error: {val}: not valid UTF-8 at byte offset {offset} (save the file as UTF-8)", err.Trim());

        var (ok, output, notes) = CliRun.Prem([.. args, "--set", "replace_invalid_utf8=true"]);
        Assert.True(ok == 0, notes);
        Assert.Contains($"notice: {val}: 2 invalid UTF-8 sequences replaced with U+FFFD (replace_invalid_utf8).", notes);
        Assert.DoesNotContain($"notice: {train}", notes);
        Assert.Contains("done: 1 steps", output);
    }

    [Fact]
    public void A_used_run_folder_is_refused_before_the_models_load_and_the_references_are_computed()
    {
        string dir = TestData.TempDirectory();
        string model = StoriesChat(dir);
        string train = DpoJsonl(dir), run = Path.Combine(dir, "run");
        string[] args = ["dpo", "--config", Config("tiny-dpo.yaml"), "--set", "max_steps=1", "--set", $"model_name_or_path={model}",
            "--set", $"train_path={train}", "--set", $"output_dir={run}"];
        var first = CliRun.Prem(args);
        Assert.True(first.Exit == 0, first.Err);
        Assert.Contains("reference log-probs: computing for", first.Err);
        File.Delete(Path.Combine(run, DpoRecipeBuilder.ReferenceCacheFile));

        var (exit, output, err) = CliRun.Prem(args);
        Assert.Equal(1, exit);
        Assert.StartsWith($"prem: error: {run}: this run folder already holds a run (metrics.jsonl or checkpoints)", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.DoesNotContain("reference log-probs", err);
        Assert.Equal("", output);
        // Refused before the reference pass: it wrote no cache.
        Assert.False(File.Exists(Path.Combine(run, DpoRecipeBuilder.ReferenceCacheFile)));
    }
}

public class DpoCommandLoraTests
{
    [Fact]
    public void Lora_dpo_uses_the_policy_with_adapters_off_as_reference_and_writes_the_adapter()
    {
        string dir = TestData.TempDirectory();
        string model = StoriesChat(dir);
        string train = DpoJsonl(dir), run = Path.Combine(dir, "run");
        var (exit, output, err) = CliRun.Prem("dpo", "--config", Config("tiny-dpo.yaml"),
            "--set", $"model_name_or_path={model}", "--set", $"train_path={train}", "--set", $"output_dir={run}",
            "--set", "precompute_ref_log_probs=false", "--set", "use_peft=true", "--set", "lora_r=4", "--set", "lora_target_modules=all-linear");
        Assert.True(exit == 0, err + output);
        // No reference pass and no second model: the first step's policy is the base, so the loss is ln 2.
        Assert.DoesNotContain("reference log-probs: computing", err);
        Assert.False(File.Exists(Path.Combine(run, DpoRecipeBuilder.ReferenceCacheFile)));
        var steps = StepLines(run);
        Assert.Equal(Math.Log(2), (double)steps[0]["loss"]!, 5);
        Assert.Equal(0.0, (double)steps[0]["rewards/margins"]!, 6);
        var config = Prem.Llm.Adapters.LoraConfigJson.Load(Path.Combine(run, "final", "adapter_config.json"));
        Assert.Equal(4, config.R);
        Assert.Equal(0, config.Dropout);   // TRL's DPO turns dropout off
        Assert.Equal(model, config.BaseModelNameOrPath);
    }
}
