using Prem.Llm.Training;

namespace Prem.Llm.Tests.Training;

public class TrainerOptionsTests
{
    [Fact]
    public void Defaults_are_the_seed_recipe()
    {
        var o = new TrainerOptions().Validate();
        Assert.Equal(4e-4, o.LearningRate);
        Assert.Equal((0.9, 0.95), (o.Beta1, o.Beta2));
        Assert.Equal(0.1, o.WeightDecay);
        Assert.Equal(0.1, o.WarmupFraction);
        Assert.Equal(1.0, o.GradientClipNorm);
        Assert.Equal(16, o.AccumulationSteps);
        Assert.Equal(2, o.MaxEpochs);
        Assert.Equal(TrainingPrecision.Bf16Mixed, o.Precision);
        Assert.Equal(1, o.LogEveryNSteps);
    }

    [Theory]
    [InlineData("AccumulationSteps")]
    [InlineData("Beta2")]
    [InlineData("MinLearningRate")]
    [InlineData("ResumeFrom")]
    public void Bad_values_name_the_option(string option)
    {
        var o = option switch
        {
            "AccumulationSteps" => new TrainerOptions { AccumulationSteps = 0 },
            "Beta2" => new TrainerOptions { Beta2 = 1.0 },
            "MinLearningRate" => new TrainerOptions { MinLearningRate = 1 },
            _ => new TrainerOptions { ResumeFrom = "latest" },
        };
        var ex = Assert.Throws<TrainingException>(() => o.Validate());
        Assert.Contains(option, ex.Message);
    }
}
