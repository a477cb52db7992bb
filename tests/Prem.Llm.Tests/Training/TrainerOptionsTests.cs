using Prem.Llm.Training;

namespace Prem.Llm.Tests.Training;

public class TrainerOptionsTests
{
    [Fact]
    public void Defaults_are_the_Prem_1B_recipe()
    {
        var o = new TrainerOptions().Validate();
        Assert.Equal(4e-4, o.Optimizer.LearningRate);
        Assert.Equal((0.9, 0.95), (o.Optimizer.Beta1, o.Optimizer.Beta2));
        Assert.Equal(0.1, o.Optimizer.WeightDecay);
        Assert.Equal(0.1, o.Schedule.WarmupFraction);
        Assert.Equal(1.0, o.Optimizer.GradientClipNorm);
        Assert.Equal(16, o.AccumulationSteps);
        Assert.Equal(2, o.Schedule.MaxEpochs);
        Assert.Equal(TrainingPrecision.Bf16Mixed, o.Precision.Mode);
        Assert.Equal(1, o.LogEveryNSteps);
    }

    [Theory]
    [InlineData("AccumulationSteps")]
    [InlineData("Optimizer.LearningRate")]
    [InlineData("Optimizer.Beta2")]
    [InlineData("Schedule.MinLearningRate")]
    [InlineData("Schedule.MaxSteps")]
    [InlineData("Checkpoint.ResumeFrom")]
    [InlineData("Checkpoint.KeepLastCheckpoints")]
    [InlineData("Precision")]
    public void Bad_values_name_the_option_by_its_path(string option)
    {
        var d = new TrainerOptions();
        var o = option switch
        {
            "AccumulationSteps" => d with { AccumulationSteps = 0 },
            "Optimizer.LearningRate" => d with { Optimizer = d.Optimizer with { LearningRate = double.NaN } },
            "Optimizer.Beta2" => d with { Optimizer = d.Optimizer with { Beta2 = 1.0 } },
            "Schedule.MinLearningRate" => d with { Schedule = d.Schedule with { MinLearningRate = 1 } },
            "Schedule.MaxSteps" => d with { Schedule = d.Schedule with { MaxSteps = 0 } },
            "Checkpoint.KeepLastCheckpoints" => d with { Checkpoint = d.Checkpoint with { KeepLastCheckpoints = 0 } },
            "Precision" => d with { Precision = null! },
            _ => d with { Checkpoint = d.Checkpoint with { ResumeFrom = "latest" } },
        };
        var ex = Assert.Throws<TrainingException>(() => o.Validate());
        Assert.StartsWith($"Trainer option {option} ", ex.Message);
    }

    [Fact]
    public void Groups_are_records_so_with_changes_one_setting()
    {
        var d = new TrainerOptions();
        var o = d with { Optimizer = d.Optimizer with { LearningRate = 1e-4 } };
        Assert.Equal(1e-4, o.Optimizer.LearningRate);
        Assert.Equal(4e-4, d.Optimizer.LearningRate);
        Assert.Equal(d.Schedule, o.Schedule);
        Assert.Equal(new TrainerOptions(), d);
        Assert.True(d.Checkpoint.ExportFinalModel);
        Assert.Null(d.Checkpoint.OutputDir);
        Assert.Equal(3, d.Checkpoint.KeepLastCheckpoints);
        Assert.False(d.Precision.ActivationCheckpointing);
    }
}
