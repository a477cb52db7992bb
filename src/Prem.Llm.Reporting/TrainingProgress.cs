using Prem.Llm.Training;

namespace Prem.Llm.Reporting;

/// <summary>Helpers for composing progress sinks.</summary>
public static class TrainingProgress
{
    /// <summary>A sink that forwards every update to each of <paramref name="sinks"/> (nulls ignored), in order.</summary>
    public static IProgress<TrainingUpdate> Combine(params IProgress<TrainingUpdate>?[] sinks) =>
        new FanOut(sinks.Where(s => s is not null).Select(s => s!).ToArray());

    private sealed class FanOut(IProgress<TrainingUpdate>[] sinks) : IProgress<TrainingUpdate>
    {
        public void Report(TrainingUpdate value)
        {
            foreach (var s in sinks) s.Report(value);
        }
    }
}
