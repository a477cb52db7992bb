using Prem.Llm.Recipes;
using Prem.Llm.Training;

namespace Prem.Llm.Tests.Recipes;

public class DpoRecipeTests
{
    [Fact]
    public void Bf16_false_trains_in_float32_and_the_options_validate()
    {
        var recipe = new DpoRecipe { ModelNameOrPath = "m", TrainPath = "t", OutputDir = "o", Bf16 = false, MaxSteps = 5, SaveSteps = 2 };
        var options = recipe.ToTrainerOptions().Validate();
        Assert.Equal(TrainingPrecision.Float32, options.Precision.Mode);
        Assert.Equal(5, options.Schedule.MaxSteps);
        Assert.Equal(2, options.Checkpoint.SaveEveryNSteps);
        Assert.Equal("o", options.Checkpoint.OutputDir);
    }
}
