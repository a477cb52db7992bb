using System.Diagnostics;

namespace Prem.Llm.Distributed;

/// <summary>
/// Ends the job when a collective does not return in time. A blocked MPI or NCCL call cannot be
/// cancelled from its own thread, and a peer that died or hangs leaves the others blocked forever;
/// this thread notices, writes which rank waited on which operation for how long, and calls the
/// backend's abort (MPI_Abort, ncclCommAbort). If the abort itself does not end the process within
/// the grace period, the process exits with code 124.
/// </summary>
internal sealed class CollectiveWatchdog : IDisposable
{
    private readonly object _gate = new();
    private readonly Thread _thread;
    private readonly Action<string> _onTimeout;
    private readonly Func<string> _who;
    private string? _operation;
    private long _deadlineTicks;
    private bool _disposed;

    /// <summary>Creates the watchdog; <paramref name="onTimeout"/> receives the message and should abort the job.</summary>
    /// <param name="timeout">Longest time one collective may take.</param>
    /// <param name="who">Names this rank for the message, e.g. "rank 1/2".</param>
    /// <param name="onTimeout">Aborts the job (MPI_Abort); called on the watchdog thread.</param>
    public CollectiveWatchdog(TimeSpan timeout, Func<string> who, Action<string> onTimeout)
    {
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "Must be positive.");
        Timeout = timeout;
        _who = who;
        _onTimeout = onTimeout;
        _thread = new Thread(Watch) { IsBackground = true, Name = "prem-collective-watchdog" };
        _thread.Start();
    }

    /// <summary>Longest time one collective may take.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>How long the process waits for the abort to end it before exiting on its own.</summary>
    public TimeSpan AbortGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Starts timing <paramref name="operation"/>; dispose the result when it returns.</summary>
    public Scope Watch(string operation)
    {
        lock (_gate)
        {
            _operation = operation;
            _deadlineTicks = Stopwatch.GetTimestamp() + (long)(Timeout.TotalSeconds * Stopwatch.Frequency);
            Monitor.PulseAll(_gate);
        }
        return new Scope(this);
    }

    /// <summary>Stops the watchdog thread.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
    }

    private void Done()
    {
        lock (_gate) _operation = null;
    }

    private void Watch()
    {
        string message;
        lock (_gate)
        {
            while (true)
            {
                if (_disposed) return;
                if (_operation is null) { Monitor.Wait(_gate); continue; }
                long left = _deadlineTicks - Stopwatch.GetTimestamp();
                if (left > 0) { Monitor.Wait(_gate, TimeSpan.FromSeconds((double)left / Stopwatch.Frequency + 0.001)); continue; }
                message = $"distributed: {_who()}: {_operation} did not complete within {Timeout.TotalSeconds:0.#} s; " +
                          "a peer rank probably died, hangs, or calls a different collective. Aborting the job.";
                break;
            }
        }
        Console.Error.WriteLine(message);
        Console.Error.Flush();
        var fallback = new Thread(() =>
        {
            Thread.Sleep(AbortGrace);
            Environment.Exit(124);
        }) { IsBackground = true };
        fallback.Start();
        _onTimeout(message);
    }

    /// <summary>Marks the end of a watched collective.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly CollectiveWatchdog _owner;

        internal Scope(CollectiveWatchdog owner) => _owner = owner;

        /// <summary>The collective returned: stop timing it.</summary>
        public void Dispose() => _owner?.Done();
    }
}
