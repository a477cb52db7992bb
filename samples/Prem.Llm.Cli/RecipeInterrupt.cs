using System.Runtime.InteropServices;
using Prem.Llm.Recipes;

namespace Prem.Llm.Cli;

/// <summary>
/// SIGINT (Ctrl-C) and SIGTERM during a recipe run: the first asks the run to stop at the end of the current
/// optimizer step and write a checkpoint (the command then prints where it is and how to resume); a second
/// restores the terminal's cursor (hidden by the live progress bar) and exits at once.
/// </summary>
internal sealed class RecipeInterrupt : IDisposable
{
    /// <summary>The exit code of a run stopped by a signal (128 + SIGINT, as shells report it).</summary>
    public const int ExitCode = 130;

    private readonly RecipeRun _run;
    private readonly TextWriter _error;
    private readonly PosixSignalRegistration[] _registrations;
    private int _count;

    public RecipeInterrupt(RecipeRun run, TextWriter error)
    {
        _run = run;
        _error = error;
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
    }

    /// <summary>True once a signal asked the run to stop.</summary>
    public bool Requested => Volatile.Read(ref _count) > 0;

    private void Handle(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _count) == 1)
        {
            context.Cancel = true;
            _error.WriteLine();
            _error.WriteLine($"prem: {context.Signal} received: stopping after the current step and writing a checkpoint (press Ctrl-C again to exit at once)");
            _error.Flush();
            _run.RequestStop();
            return;
        }
        // The second signal: no checkpoint; show the cursor again and let the default action end the process.
        if (!Console.IsOutputRedirected) Console.Out.Write("\u001b[?25h");
        _error.WriteLine("prem: exiting now without a checkpoint");
        _error.Flush();
        context.Cancel = false;
    }

    /// <summary>The command line that resumes this run: the same command with <c>resume_from=latest</c>.</summary>
    public static string ResumeCommand(string command, string config, IEnumerable<string> sets)
    {
        var args = new List<string> { "prem", command, "--config", config };
        foreach (var s in sets.Where(s => !s.TrimStart().StartsWith("resume_from=", StringComparison.Ordinal)))
        {
            args.Add("--set");
            args.Add(s);
        }
        args.Add("--set");
        args.Add("resume_from=latest");
        return string.Join(' ', args.Select(Quote));
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''") + "'";

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
    }
}
