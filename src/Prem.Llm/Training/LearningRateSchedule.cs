namespace Prem.Llm.Training;

/// <summary>
/// Linear warmup from 0 over the first ⌈fraction × total⌉ steps, then <see cref="LearningRateDecay"/> to
/// <c>minLr</c> at the last step. A pure function of the step, so it needs no state to resume.
/// </summary>
internal sealed class LearningRateSchedule
{
    /// <summary>Creates a schedule.</summary>
    /// <param name="peakLr">The learning rate after warmup.</param>
    /// <param name="totalSteps">Optimizer steps of the run (≥ 1).</param>
    /// <param name="warmupFraction">Share of <paramref name="totalSteps"/> spent warming up, in [0, 1].</param>
    /// <param name="decay">The shape after warmup.</param>
    /// <param name="minLr">The learning rate at the end.</param>
    public LearningRateSchedule(double peakLr, long totalSteps, double warmupFraction, LearningRateDecay decay, double minLr)
    {
        if (!(peakLr >= 0)) throw new ArgumentOutOfRangeException(nameof(peakLr), peakLr, "must be ≥ 0.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        if (!(warmupFraction >= 0 && warmupFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(warmupFraction), warmupFraction, "must be in [0, 1].");
        if (!(minLr >= 0 && minLr <= peakLr)) throw new ArgumentOutOfRangeException(nameof(minLr), minLr, "must be in [0, peak lr].");
        PeakLr = peakLr;
        TotalSteps = totalSteps;
        WarmupSteps = (long)Math.Ceiling(warmupFraction * totalSteps);
        Decay = decay;
        MinLr = minLr;
    }

    /// <summary>The learning rate after warmup.</summary>
    public double PeakLr { get; }
    /// <summary>Optimizer steps of the run.</summary>
    public long TotalSteps { get; }
    /// <summary>Steps of linear warmup.</summary>
    public long WarmupSteps { get; }
    /// <summary>The shape after warmup.</summary>
    public LearningRateDecay Decay { get; }
    /// <summary>The final learning rate.</summary>
    public double MinLr { get; }

    /// <summary>The learning rate of 0-based optimizer step <paramref name="step"/>.</summary>
    public double At(long step)
    {
        if (step < WarmupSteps) return PeakLr * (step + 1) / WarmupSteps;
        long span = TotalSteps - WarmupSteps;
        double progress = span <= 1 ? 1.0 : Math.Clamp((double)(step - WarmupSteps) / (span - 1), 0, 1);
        double shape = Decay switch
        {
            LearningRateDecay.Cosine => 0.5 * (1 + Math.Cos(Math.PI * progress)),
            LearningRateDecay.Linear => 1 - progress,
            _ => 1.0,
        };
        return MinLr + (PeakLr - MinLr) * shape;
    }
}
