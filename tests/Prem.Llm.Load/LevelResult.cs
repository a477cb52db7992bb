namespace Prem.Llm.Load;

/// <summary>What one concurrency level measured.</summary>
internal sealed record LevelResult(string Name, int Clients, int Requests, int Failed, long Tokens, double Seconds, double[] LatencyMs, double[] FirstTokenMs)
{
    public double TokensPerSecond => Tokens / Seconds;

    public double RequestsPerSecond => Requests / Seconds;

    public static double Percentile(double[] values, double p)
    {
        if (values.Length == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        // Nearest rank, as load tools report it.
        int rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public string Row() =>
        $"| {Name,-16} | {Clients,7} | {Requests,8} | {Failed,6} | {TokensPerSecond,9:F1} | {RequestsPerSecond,7:F2} | {Percentile(LatencyMs, 50),8:F0} | {Percentile(LatencyMs, 95),8:F0} | {Percentile(FirstTokenMs, 50),8:F0} | {Percentile(FirstTokenMs, 95),8:F0} |";

    public const string Header =
        "| run              | clients | requests | failed |     tok/s |   req/s | p50 ms   | p95 ms   | TTFT p50 | TTFT p95 |\n" +
        "| ---------------- | ------: | -------: | -----: | --------: | ------: | -------: | -------: | -------: | -------: |";
}
