using Prem.Llm.Recipes;
using Prem.Llm.Training;

namespace Prem.Llm.Tests.Recipes;

public class TrainingRecipeTests
{
    static TrainingRecipe Recipe(LightningTrainerArgs trainer) => new()
    {
        Model = new ModelArgs { ModelName = "m" }, Data = new DataArgs { TrainPath = "d" }, OutputDir = "o", Trainer = trainer,
    };

    [Theory]
    [InlineData(16, 4, 4)]
    [InlineData(17, 4, 5)]  // a partial step still counts: ⌈17 / 4⌉
    [InlineData(3, 1, 3)]
    public void An_integer_val_check_interval_counts_batches_and_becomes_optimizer_steps(long batches, int accumulate, int steps)
    {
        var options = Recipe(new LightningTrainerArgs { ValCheckInterval = BatchAmount.Batches(batches), AccumulateGradBatches = accumulate }).ToTrainerOptions(1000);
        Assert.Equal(steps, options.ValidateEveryNSteps);
    }

    [Fact]
    public void A_fractional_val_check_interval_is_a_share_of_the_epoch()
    {
        var options = Recipe(new LightningTrainerArgs { ValCheckInterval = BatchAmount.Fraction(0.25), AccumulateGradBatches = 2 }).ToTrainerOptions(80);
        Assert.Equal(10, options.ValidateEveryNSteps); // 20 batches / 2 per step
    }

    [Fact]
    public void Defaults_are_the_Prem_1B_recipes_and_validate()
    {
        var options = Recipe(new LightningTrainerArgs()).ToTrainerOptions(100).Validate();
        var seed = new TrainerOptions();
        Assert.Equal(seed.Optimizer.LearningRate, options.Optimizer.LearningRate);
        Assert.Equal(seed.AccumulationSteps, options.AccumulationSteps);
        Assert.Equal(seed.Precision.Mode, options.Precision.Mode);
        Assert.Equal(seed.Optimizer.GradientClipNorm, options.Optimizer.GradientClipNorm);
        Assert.Null(options.ValidateEveryNSteps);
        Assert.True(options.Checkpoint.ExportFinalModel); // the trainer exports output_dir/final
        Assert.Null(options.Checkpoint.ExportDtype); // no model_args.dtype: the training dtype
    }
}
