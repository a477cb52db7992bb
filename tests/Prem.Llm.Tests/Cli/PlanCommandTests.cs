using static Prem.Llm.Tests.Cli.RecipeTestData;

namespace Prem.Llm.Tests.Cli;

public class PlanCommandTests
{
    static string Prem1BConfig => Config("prem-1b-pretrain.yaml");
    static string TinyLlamaJson => Config("tinyllama-1.1b-config.json");

    [Fact]
    public void Plans_the_prem_1b_recipe_on_16_gpus_of_80_gb()
    {
        var (exit, output, err) = CliRun.Prem(["plan", "--config", Prem1BConfig, "--model-config", TinyLlamaJson, "--world-size", "16", "--checkpointing", "true"]);
        Assert.True(exit == 0, err);
        Assert.Contains("model: 1.100 B parameters; Bf16Mixed, attention flash, activation checkpointing on", output);
        Assert.Contains("16 device(s) × 80 GiB; micro-batch 2 × 8192 tokens, 16 accumulation steps → 4,194,304 tokens per optimizer step", output);
        Assert.Contains("weights       6.15 GiB", output);
        Assert.Contains("optimizer     8.20 GiB", output);
        Assert.Contains(": fits", output);
        Assert.Contains("largest micro-batch at 8192 tokens:", output);
        Assert.Contains("tokens/s", output);
    }

    [Fact]
    public void A_plan_that_does_not_fit_exits_2()
    {
        var (exit, output, _) = CliRun.Prem(["plan", "--config", Prem1BConfig, "--model-config", TinyLlamaJson, "--memory-gb", "24", "--reserve-gb", "2"]);
        Assert.Equal(2, exit);
        Assert.Contains("DOES NOT FIT", output);
    }

    [Fact]
    public void A_hub_id_needs_the_model_config_and_bad_numbers_are_named()
    {
        var (exit, _, err) = CliRun.Prem(["plan", "--config", Prem1BConfig]);
        Assert.Equal(1, exit);
        Assert.Contains("model.model_args.model_name:", err);
        Assert.Contains("--model-config", err);
        (exit, _, err) = CliRun.Prem(["plan", "--config", Prem1BConfig, "--model-config", TinyLlamaJson, "--mfu", "0"]);
        Assert.Equal(1, exit);
        Assert.StartsWith("prem: error: --mfu: must be in (0, 1]", err);
    }

    [Fact]
    public void Plans_a_config_block_recipe()
    {
        var (exit, output, err) = CliRun.Prem(["plan", "--config", Config("tiny-pretrain.yaml")]);
        Assert.True(exit == 0, err);
        Assert.Contains("Float32, attention sdpa, activation checkpointing off", output);
        Assert.Contains("micro-batch 4 × 32 tokens", output);
    }
}
