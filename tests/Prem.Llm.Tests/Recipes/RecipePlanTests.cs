using Prem.Llm.Recipes;
using Prem.Llm.Training;
using Prem.Llm.Tests.Cli;

namespace Prem.Llm.Tests.Recipes;

public class RecipePlanTests
{
    [Fact]
    public void The_recipe_sets_shape_precision_and_checkpointing_and_the_settings_the_rest()
    {
        var (config, plan) = RecipePlan.Load(RecipeTestData.Config("tiny-pretrain.yaml"), overrides: ["trainer.gradient_checkpointing=true", "trainer.precision=bf16-mixed"],
            settings: new MemoryPlanOptions { WorldSize = 4, DeviceMemoryGiB = 24 });
        Assert.Equal(32, config.HiddenSize);
        Assert.Equal(32, plan.Options.SequenceLength);
        Assert.Equal(4, plan.Options.MicroBatch);
        Assert.Equal(2, plan.Options.AccumulationSteps);
        Assert.Equal(TrainingPrecision.Bf16Mixed, plan.Options.Precision);
        Assert.True(plan.Options.ActivationCheckpointing);
        Assert.Equal(4, plan.Options.WorldSize);
        Assert.Equal(24, plan.Options.DeviceMemoryGiB);
        Assert.Equal(MemoryPlanner.Parameters(config), plan.Parameters);
    }

    [Fact]
    public void A_missing_model_config_file_is_named()
    {
        var e = Assert.Throws<RecipeException>(() => RecipePlan.Load(RecipeTestData.Config("tiny-pretrain.yaml"), modelConfig: "/no/config.json"));
        Assert.Equal("--model-config", e.KeyPath);
    }
}
