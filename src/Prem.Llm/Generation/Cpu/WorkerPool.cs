using System.Diagnostics;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// A fixed set of threads for the decode kernels: <see cref="Run"/> hands out a job's chunks to the
/// caller and the workers, which claim them one at a time (so a worker the OS descheduled delays no
/// one), and returns when every chunk is done. No allocation per run. Written by hand because
/// <c>Parallel.For</c> allocates per call and wakes threads too slowly for ~60 dispatches per token.
/// </summary>
/// <remarks>
/// The ticket packs the run's generation (24 bits), its chunk count (20 bits) and the next chunk
/// (20 bits) into one 64-bit word, so a claim is one compare-and-swap and a worker that wakes late
/// can never claim a chunk of a finished run. Idle workers spin briefly (a token's next kernel comes
/// within microseconds), then sleep on a monitor.
/// </remarks>
internal sealed class WorkerPool : IDisposable
{
    const int ChunkBits = 20;
    const long ChunkMask = (1L << ChunkBits) - 1;
    static readonly Lazy<WorkerPool> _shared = new(() => new WorkerPool(DefaultWorkers()));
    static readonly long _spinTicks = Stopwatch.Frequency / 20_000; // 50 µs

    readonly Thread[] _threads;
    readonly Lock _runGate = new();
    readonly object _sleepGate = new();
    IPoolJob? _job;
    long _ticket;
    int _done;
    int _sleepers;
    volatile bool _disposed;

    /// <summary>A pool of <paramref name="workers"/> workers: the caller and <c>workers − 1</c> threads.</summary>
    public WorkerPool(int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        Workers = workers;
        _threads = new Thread[workers - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int worker = i + 1;
            _threads[i] = new Thread(() => Loop(worker)) { IsBackground = true, Name = $"prem-cpu-{worker}" };
            _threads[i].Start();
        }
    }

    /// <summary>Workers of the shared pool: PREM_CPU_THREADS when set to a positive number, else one per logical processor.</summary>
    public static int DefaultWorkers() =>
        int.TryParse(Environment.GetEnvironmentVariable("PREM_CPU_THREADS"), out int n) && n > 0 ? n : Environment.ProcessorCount;

    /// <summary>The process-wide pool (<see cref="DefaultWorkers"/> workers).</summary>
    public static WorkerPool Shared => _shared.Value;

    /// <summary>Workers, the calling thread included.</summary>
    public int Workers { get; }

    /// <summary>Runs chunks 0 … <paramref name="chunks"/> − 1 of <paramref name="job"/> and waits for all of them.</summary>
    public void Run(IPoolJob job, int chunks)
    {
        if (chunks <= 0) return;
        if (chunks > ChunkMask) throw new ArgumentOutOfRangeException(nameof(chunks), chunks, $"at most {ChunkMask} chunks per run.");
        if (Workers == 1 || chunks == 1)
        {
            for (int c = 0; c < chunks; c++) job.Execute(c, 0);
            return;
        }
        lock (_runGate)
        {
            _job = job;
            Volatile.Write(ref _done, 0);
            long generation = ((Volatile.Read(ref _ticket) >> (2 * ChunkBits)) + 1) & 0xFFFFFF;
            Interlocked.Exchange(ref _ticket, (generation << (2 * ChunkBits)) | ((long)chunks << ChunkBits));
            if (Volatile.Read(ref _sleepers) > 0)
                lock (_sleepGate) Monitor.PulseAll(_sleepGate);
            Drain(0);
            var spin = new SpinWait();
            while (Volatile.Read(ref _done) < chunks) spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    void Drain(int worker)
    {
        while (true)
        {
            long ticket = Volatile.Read(ref _ticket);
            int chunks = (int)((ticket >> ChunkBits) & ChunkMask), next = (int)(ticket & ChunkMask);
            if (next >= chunks) return;
            if (Interlocked.CompareExchange(ref _ticket, ticket + 1, ticket) != ticket) continue;
            // The run cannot finish (and _job cannot change) before this claimed chunk is done.
            _job!.Execute(next, worker);
            Interlocked.Increment(ref _done);
        }
    }

    void Loop(int worker)
    {
        long seen = 0;
        while (!_disposed)
        {
            long start = Stopwatch.GetTimestamp();
            while (Generation() == seen && !_disposed)
            {
                if (Stopwatch.GetTimestamp() - start < _spinTicks)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                lock (_sleepGate)
                {
                    Interlocked.Increment(ref _sleepers);
                    while (Generation() == seen && !_disposed) Monitor.Wait(_sleepGate);
                    Interlocked.Decrement(ref _sleepers);
                }
            }
            seen = Generation();
            Drain(worker);
        }
    }

    long Generation() => Volatile.Read(ref _ticket) >> (2 * ChunkBits);

    /// <summary>Stops the threads (the shared pool lives as long as the process).</summary>
    public void Dispose()
    {
        _disposed = true;
        lock (_sleepGate) Monitor.PulseAll(_sleepGate);
        foreach (var t in _threads) t.Join();
    }
}
