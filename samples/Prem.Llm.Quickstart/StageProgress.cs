using System.Diagnostics;

namespace Prem.Llm.Quickstart;

/// <summary>
/// The quickstart's progress: a header when each stage starts, then "done/total" lines with the time
/// the stage has left (from its own rate so far), and the stage's time when it ends.
/// </summary>
public sealed class StageProgress(Stopwatch clock, int stages, TextWriter? output = null)
{
    readonly TextWriter _output = output ?? Console.Out;
    readonly Stopwatch _stage = new();
    string _name = "";
    int _total;
    int _index;

    /// <summary>Time since the run started, as mm:ss.</summary>
    public string Clock => Format(clock.Elapsed);

    /// <summary>Starts the next stage of <paramref name="total"/> units (steps, questions, batches).</summary>
    public void Start(string name, int total, string unit)
    {
        _index++;
        _name = name;
        _total = total;
        _stage.Restart();
        _output.WriteLine($"[{Clock}] stage {_index}/{stages}: {name} ({total} {unit})");
    }

    /// <summary>Reports <paramref name="done"/> of the stage's units, with the stage's ETA.</summary>
    public void Report(int done, string? detail = null) =>
        _output.WriteLine($"[{Clock}] {_name} {done}/{_total}{(detail is null ? "" : " " + detail)}, {Eta(_stage.Elapsed, done, _total)}");

    /// <summary>Ends the stage, printing how long it took.</summary>
    public void End(string? result = null) =>
        _output.WriteLine($"[{Clock}] {_name} done in {Format(_stage.Elapsed)}{(result is null ? "" : ": " + result)}");

    /// <summary>"ETA mm:ss" for the rest of a stage at its rate so far ("ETA --:--" before the first unit).</summary>
    public static string Eta(TimeSpan elapsed, int done, int total) =>
        done <= 0 ? "ETA --:--" : "ETA " + Format(TimeSpan.FromTicks(elapsed.Ticks / done * Math.Max(0, total - done)));

    static string Format(TimeSpan t) => $"{(int)t.TotalMinutes:00}:{t.Seconds:00}";
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread, so lines print in order
/// (<see cref="Progress{T}"/> posts to the thread pool).</summary>
public sealed class InlineProgress<T>(Action<T> handler) : IProgress<T>
{
    /// <inheritdoc/>
    public void Report(T value) => handler(value);
}
