using Prem.Llm.Training;

namespace Prem.Llm.Tests.Training;

public class LearningRateScheduleTests
{
    [Fact]
    public void Warms_up_linearly_then_follows_a_cosine_to_the_minimum()
    {
        var s = new LearningRateSchedule(1e-3, 100, 0.1, LearningRateDecay.Cosine, 1e-4);
        Assert.Equal(10, s.WarmupSteps);
        Assert.Equal(1e-4, s.At(0), 12);
        Assert.Equal(5e-4, s.At(4), 12);
        Assert.Equal(1e-3, s.At(9), 12);
        Assert.Equal(1e-3, s.At(10), 12);
        double mid = 10 + 89 / 2.0;
        Assert.Equal(1e-4 + 0.9e-3 * 0.5 * (1 + Math.Cos(Math.PI * (45 - 10) / 89.0)), s.At(45), 12);
        Assert.Equal(1e-4, s.At(99), 12);
        Assert.True(s.At((long)mid) < 1e-3);
    }

    [Fact]
    public void Linear_and_constant_decay()
    {
        var linear = new LearningRateSchedule(1.0, 11, 0, LearningRateDecay.Linear, 0);
        Assert.Equal(1.0, linear.At(0), 12);
        Assert.Equal(0.5, linear.At(5), 12);
        Assert.Equal(0.0, linear.At(10), 12);
        var constant = new LearningRateSchedule(2.0, 5, 0.4, LearningRateDecay.Constant, 0);
        Assert.Equal(1.0, constant.At(0), 12);
        Assert.Equal(2.0, constant.At(4), 12);
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(1, 0, 0.1, LearningRateDecay.Cosine, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(1, 10, 1.5, LearningRateDecay.Cosine, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(1, 10, 0.1, LearningRateDecay.Cosine, 2));
    }
}
