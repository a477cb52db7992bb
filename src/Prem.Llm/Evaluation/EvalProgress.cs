namespace Prem.Llm.Evaluation;

/// <summary>Progress of an evaluation run, reported after each scored batch.</summary>
/// <param name="Done">Requests scored so far.</param>
/// <param name="Total">Requests in the run.</param>
/// <param name="Elapsed">Time since scoring began.</param>
public readonly record struct EvalProgress(long Done, long Total, TimeSpan Elapsed)
{
    /// <summary>Fraction done, 0–1.</summary>
    public double Fraction => Total == 0 ? 1 : (double)Done / Total;

    /// <summary>Remaining time at the average rate so far; null before the first request.</summary>
    public TimeSpan? Eta => Done == 0 ? null : TimeSpan.FromTicks((long)(Elapsed.Ticks * (double)(Total - Done) / Done));

    /// <summary>A one-line bar, e.g. <c>[#####-----] 50.0% 500/1000 requests, 12.3 req/s, ETA 00:00:41</c>.</summary>
    public string Render(int width = 30)
    {
        int filled = (int)Math.Round(Fraction * width);
        double rate = Elapsed.TotalSeconds > 0 ? Done / Elapsed.TotalSeconds : 0;
        string eta = Eta is { } e ? e.ToString(@"hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture) : "--:--:--";
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('-', width - filled)}] {Fraction * 100:F1}% {Done}/{Total} requests, {rate:F1} req/s, ETA {eta}");
    }
}
