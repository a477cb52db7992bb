using Spectre.Console;
using Prem.Llm.Training;

namespace Prem.Llm.Reporting;

/// <summary>
/// Shows a run on the console: a Spectre.Console live progress bar (step, loss, lr, tokens/s, ETA)
/// when the console is interactive, plain log lines when output is redirected (CI, files, pipes).
/// </summary>
public static class ConsoleTrainingReporter
{
    /// <summary>
    /// Runs <paramref name="work"/> (typically <c>p =&gt; trainer.Run(p)</c>) with a progress sink that
    /// renders to the console; <paramref name="forcePlain"/> selects plain lines regardless of the console.
    /// </summary>
    public static T Run<T>(Func<IProgress<TrainingUpdate>, T> work, bool forcePlain = false, TextWriter? plainWriter = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        bool live = !forcePlain && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (!live) return work(new LineSink(plainWriter ?? Console.Out));
        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: 1);
                return work(new LiveBar(task));
            });
    }

    /// <summary>A sink that writes one line per update to <paramref name="writer"/>.</summary>
    public static IProgress<TrainingUpdate> PlainLines(TextWriter writer) => new LineSink(writer);

    private sealed class LineSink(TextWriter writer) : IProgress<TrainingUpdate>
    {
        public void Report(TrainingUpdate value) => writer.WriteLine(TrainingLineFormatter.Format(value));
    }

    private sealed class LiveBar(ProgressTask task) : IProgress<TrainingUpdate>
    {
        public void Report(TrainingUpdate value)
        {
            task.MaxValue = Math.Max(1, value.TotalSteps);
            task.Value = value.Step;
            if (value.Kind == TrainingUpdateKind.Step || value.Kind == TrainingUpdateKind.SkippedStep)
                task.Description = Markup.Escape(TrainingLineFormatter.Format(value));
            else
                AnsiConsole.MarkupLine(Markup.Escape(TrainingLineFormatter.Format(value)));
            if (value.Kind == TrainingUpdateKind.Finished) task.StopTask();
        }
    }
}
