using System.Globalization;
using Prem.Llm.Training;

namespace Prem.Llm.Reporting;

/// <summary>One-line renderings of <see cref="TrainingUpdate"/>s, shared by the live bar and plain logs.</summary>
internal static class TrainingLineFormatter
{
    /// <summary>E.g. <c>step 10/100 | loss 2.3456 | lr 4.00e-04 | 1,234 tok/s | eta 00:01:23</c>.</summary>
    public static string Format(TrainingUpdate u)
    {
        return u.Kind switch
        {
            TrainingUpdateKind.Step => FormattableString.Invariant($"step {u.Step}/{u.TotalSteps} | loss {u.Loss:F4} | lr {u.LearningRate:0.00e+00} | {u.TokensPerSecond:N0} tok/s | eta {Eta(u.Remaining)}"),
            TrainingUpdateKind.SkippedStep => FormattableString.Invariant($"step {u.Step}/{u.TotalSteps} | skipped (non-finite loss or gradient; {u.SkippedSteps} so far)"),
            TrainingUpdateKind.Validation => FormattableString.Invariant($"step {u.Step}/{u.TotalSteps} | val loss {u.Loss:F4} | val ppl {Math.Exp(u.Loss):F2}"),
            TrainingUpdateKind.Checkpoint => $"step {u.Step}/{u.TotalSteps} | checkpoint {u.Path}",
            _ => FormattableString.Invariant($"finished {u.Step}/{u.TotalSteps} steps in {Eta(u.Elapsed)}") + (u.SkippedSteps > 0 ? FormattableString.Invariant($" ({u.SkippedSteps} skipped)") : ""),
        };
    }

    /// <summary>hh:mm:ss, or "--:--:--" when unknown.</summary>
    public static string Eta(TimeSpan? t) =>
        t is { } v ? ((int)v.TotalHours).ToString("D2", CultureInfo.InvariantCulture) + v.ToString(@"\:mm\:ss", CultureInfo.InvariantCulture) : "--:--:--";
}
