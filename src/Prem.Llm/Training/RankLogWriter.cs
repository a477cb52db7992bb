using System.Globalization;
using Prem.Llm.Distributed;

namespace Prem.Llm.Training;

/// <summary>
/// The trainer's log on ranks other than 0 (which alone owns the progress bar and metrics.jsonl): one
/// plain line per reported step, validation and checkpoint, so a rank's last words survive a crash.
/// The values are the global ones, the same as rank 0 reports.
/// </summary>
internal sealed class RankLogWriter : IProgress<TrainingUpdate>, IDisposable
{
    private readonly TextWriter _writer;
    private readonly string _prefix;

    /// <summary>Writes to <paramref name="writer"/> (owned) for this rank of <paramref name="communicator"/>.</summary>
    public RankLogWriter(TextWriter writer, ICommunicator communicator)
    {
        this._writer = writer ?? throw new ArgumentNullException(nameof(writer));
        ArgumentNullException.ThrowIfNull(communicator);
        _prefix = $"rank {communicator.Rank}/{communicator.Size}";
    }

    /// <inheritdoc />
    public void Report(TrainingUpdate value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string time = DateTime.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        string detail = value.Kind switch
        {
            TrainingUpdateKind.Step or TrainingUpdateKind.SkippedStep => string.Create(CultureInfo.InvariantCulture,
                $"loss {value.Loss:0.######} lr {value.LearningRate:0.###e+0} grad_norm {value.GradientNorm:0.####}"),
            TrainingUpdateKind.Validation => string.Create(CultureInfo.InvariantCulture, $"val/loss {value.Loss:0.######}"),
            TrainingUpdateKind.Checkpoint => "checkpoint written by rank 0",
            _ => $"skipped steps {value.SkippedSteps}",
        };
        _writer.WriteLine($"{time} {_prefix} {value.Kind} step {value.Step}/{value.TotalSteps}: {detail}");
    }

    /// <summary>Closes the log.</summary>
    public void Dispose() => _writer.Dispose();
}
