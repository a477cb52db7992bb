namespace Prem.Llm.Evaluation;

/// <summary>
/// lm-eval's aggregation formulas (<c>lm_eval/api/metrics.py</c>): the task score is the mean over
/// documents and its standard error the sample standard deviation over √n; a group's score is the
/// size-weighted mean of its leaf tasks and its standard error the pooled sample standard error.
/// </summary>
internal static class EvalStatistics
{
    /// <summary><c>mean</c>: the arithmetic mean.</summary>
    public static double Mean(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("mean of no values", nameof(values));
        double sum = 0;
        foreach (var v in values) sum += v;
        return sum / values.Count;
    }

    /// <summary><c>sample_stddev</c>: √(Σ(x − mean)² / (n − 1)).</summary>
    public static double SampleStdDev(IReadOnlyList<double> values)
    {
        if (values.Count < 2) throw new ArgumentException("sample standard deviation needs at least two values", nameof(values));
        double mean = Mean(values), sum = 0;
        foreach (var v in values) sum += (v - mean) * (v - mean);
        return Math.Sqrt(sum / (values.Count - 1));
    }

    /// <summary>
    /// <c>mean_stderr</c>: sample standard deviation / √n; null for fewer than two values, where lm-eval
    /// reports "N/A".
    /// </summary>
    public static double? MeanStderr(IReadOnlyList<double> values) =>
        values.Count < 2 ? null : SampleStdDev(values) / Math.Sqrt(values.Count);

    /// <summary><c>aggregate_subtask_metrics</c>: Σ metricᵢ·sizeᵢ / Σ sizeᵢ (sizes all 1 when not weighted).</summary>
    public static double WeightedMean(IReadOnlyList<double> metrics, IReadOnlyList<int> sizes, bool weightBySize = true)
    {
        if (metrics.Count != sizes.Count || metrics.Count == 0) throw new ArgumentException("need one size per metric, at least one");
        double sum = 0, total = 0;
        for (int i = 0; i < metrics.Count; i++)
        {
            double w = weightBySize ? sizes[i] : 1;
            sum += metrics[i] * w;
            total += w;
        }
        return sum / total;
    }

    /// <summary>
    /// <c>pooled_sample_stderr</c>: √( Σ (nᵢ − 1)·seᵢ²·nᵢ / (Σnᵢ − k) / Σnᵢ ) over k subtasks.
    /// </summary>
    public static double PooledSampleStderr(IReadOnlyList<double> stderrs, IReadOnlyList<int> sizes)
    {
        if (stderrs.Count != sizes.Count || stderrs.Count == 0) throw new ArgumentException("need one size per stderr, at least one");
        double numerator = 0;
        long total = 0;
        for (int i = 0; i < stderrs.Count; i++)
        {
            numerator += (sizes[i] - 1) * stderrs[i] * stderrs[i] * sizes[i];
            total += sizes[i];
        }
        double pooledVariance = numerator / (total - stderrs.Count);
        return Math.Sqrt(pooledVariance / total);
    }
}
