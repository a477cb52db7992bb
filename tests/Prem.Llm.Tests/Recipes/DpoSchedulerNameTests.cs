using Prem.Llm.Recipes;
using Prem.Llm.Training;

namespace Prem.Llm.Tests.Recipes;

public class DpoSchedulerNameTests
{
    static DpoRecipe Parse(string lines) =>
        RecipeYaml.ParseDpo($"learning_rate: 1.0e-4\nwarmup_ratio: 0.1\n{lines}\nmodel_name_or_path: m\ntrain_path: t\noutput_dir: o", null, "dpo.yaml");

    [Theory]
    [InlineData("linear", LearningRateDecay.Linear, 0.1)]
    [InlineData("cosine", LearningRateDecay.Cosine, 0.1)]
    [InlineData("constant", LearningRateDecay.Constant, 0.0)]
    [InlineData("constant_with_warmup", LearningRateDecay.Constant, 0.1)]
    public void The_hf_scheduler_names_trl_configs_use_are_accepted(string name, LearningRateDecay decay, double warmup)
    {
        var options = Parse($"lr_scheduler_type: {name}").ToTrainerOptions();
        Assert.Equal(decay, options.Schedule.Decay);
        Assert.Equal(warmup, options.Schedule.WarmupFraction);
        Assert.Equal(0, options.Schedule.MinLearningRate);
    }

    [Fact]
    public void Cosine_with_min_lr_takes_min_lr_or_min_lr_rate()
    {
        var absolute = Parse("lr_scheduler_type: cosine_with_min_lr\nlr_scheduler_kwargs:\n  min_lr: 1.0e-5").ToTrainerOptions();
        Assert.Equal(LearningRateDecay.Cosine, absolute.Schedule.Decay);
        Assert.Equal(1e-5, absolute.Schedule.MinLearningRate, 12);
        var rate = Parse("lr_scheduler_type: cosine_with_min_lr\nlr_scheduler_kwargs:\n  min_lr_rate: 0.1").ToTrainerOptions();
        Assert.Equal(1e-5, rate.Schedule.MinLearningRate, 12);
        var missing = Assert.Throws<RecipeException>(() => Parse("lr_scheduler_type: cosine_with_min_lr"));
        Assert.Contains("needs exactly one of lr_scheduler_kwargs.min_lr and lr_scheduler_kwargs.min_lr_rate", missing.Message);
        var stray = Assert.Throws<RecipeException>(() => Parse("lr_scheduler_type: linear\nlr_scheduler_kwargs:\n  min_lr: 1.0e-5"));
        Assert.Contains("only lr_scheduler_type cosine_with_min_lr takes arguments", stray.Message);
    }
}
