using Prem.Llm.Evaluation;

namespace Prem.Llm.Tests.Evaluation;

public class EvalStatisticsTests
{
    [Fact]
    public void Mean_stderr_is_the_sample_std_over_root_n()
    {
        // Hand computed: mean 0.75, Σ(x-mean)² = 3·0.0625 + 0.5625 = 0.75, sample var 0.25, sd 0.5, se 0.25.
        double[] values = [1, 0, 1, 1];
        Assert.Equal(0.75, EvalStatistics.Mean(values), 12);
        Assert.Equal(0.5, EvalStatistics.SampleStdDev(values), 12);
        Assert.Equal(0.25, EvalStatistics.MeanStderr(values)!.Value, 12);
        Assert.Null(EvalStatistics.MeanStderr([1.0]));
    }

    [Fact]
    public void Pooled_stderr_and_weighted_mean_match_hand_computation()
    {
        // (3·0.25²·4 + 9·0.1²·10) / (14 − 2) = 1.65 / 12 = 0.1375; /14 → √0.00982142857…
        Assert.Equal(Math.Sqrt(0.1375 / 14), EvalStatistics.PooledSampleStderr([0.25, 0.1], [4, 10]), 12);
        Assert.Equal((0.5 * 4 + 0.8 * 10) / 14, EvalStatistics.WeightedMean([0.5, 0.8], [4, 10]), 12);
        Assert.Equal(0.65, EvalStatistics.WeightedMean([0.5, 0.8], [4, 10], weightBySize: false), 12);
    }

    [Fact]
    public void Weighted_mean_of_task_means_is_the_mean_over_all_documents()
    {
        var random = new Random(3);
        var a = Enumerable.Range(0, 37).Select(_ => (double)random.Next(2)).ToArray();
        var b = Enumerable.Range(0, 11).Select(_ => (double)random.Next(2)).ToArray();
        Assert.Equal(EvalStatistics.Mean([.. a, .. b]), EvalStatistics.WeightedMean([EvalStatistics.Mean(a), EvalStatistics.Mean(b)], [37, 11]), 12);
    }

    [Fact]
    public void Degenerate_inputs_are_argument_errors()
    {
        Assert.Throws<ArgumentException>(() => EvalStatistics.Mean([]));
        Assert.Throws<ArgumentException>(() => EvalStatistics.SampleStdDev([1.0]));
        Assert.Throws<ArgumentException>(() => EvalStatistics.PooledSampleStderr([0.1], [1, 2]));
    }
}
