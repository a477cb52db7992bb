using Prem.Llm.Evaluation;

namespace Prem.Llm.Reporting;

/// <summary>
/// Writes <see cref="EvalProgress"/> as a progress bar with ETA to a text writer (stderr by default),
/// redrawing in place with <c>\r</c> at most every <paramref name="minInterval"/>.
/// </summary>
public sealed class ConsoleProgressReporter(TextWriter? writer = null, TimeSpan? minInterval = null) : IProgress<EvalProgress>
{
    private readonly TextWriter _writer = writer ?? Console.Error;
    private readonly TimeSpan _minInterval = minInterval ?? TimeSpan.FromMilliseconds(250);
    private TimeSpan? _last;

    /// <inheritdoc/>
    public void Report(EvalProgress value)
    {
        bool finished = value.Done >= value.Total;
        if (!finished && _last is { } last && value.Elapsed - last < _minInterval) return;
        _last = value.Elapsed;
        _writer.Write("\r" + value.Render());
        if (finished) _writer.WriteLine();
    }
}
