using Prem.Llm.Generation.Cpu;

namespace Prem.Llm.Tests.Generation.Cpu;

public class WorkerPoolTests
{
    sealed class CountingJob(int chunks, int workers) : IPoolJob
    {
        public readonly int[] Runs = new int[chunks];
        public readonly int[] ByWorker = new int[workers];

        public void Execute(int chunk, int worker)
        {
            Interlocked.Increment(ref Runs[chunk]);
            Interlocked.Increment(ref ByWorker[worker]);
            Thread.SpinWait(50);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Every_chunk_runs_exactly_once_per_run_over_many_runs(int workers)
    {
        using var pool = new WorkerPool(workers);
        for (int run = 0; run < 2000; run++)
        {
            int chunks = 1 + run % 37;
            var job = new CountingJob(chunks, workers);
            pool.Run(job, chunks);
            Assert.All(job.Runs, r => Assert.Equal(1, r));
            Assert.Equal(chunks, job.ByWorker.Sum());
        }
    }

    [Fact]
    public void Runs_from_several_threads_are_serialised_and_complete()
    {
        using var pool = new WorkerPool(2);
        var failures = 0;
        Parallel.For(0, 4, _ =>
        {
            for (int run = 0; run < 300; run++)
            {
                var job = new CountingJob(16, 2);
                pool.Run(job, 16);
                if (job.Runs.Any(r => r != 1)) Interlocked.Increment(ref failures);
            }
        });
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Zero_chunks_do_nothing_and_bad_sizes_are_refused()
    {
        using var pool = new WorkerPool(2);
        pool.Run(new CountingJob(0, 2), 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Run(new CountingJob(1, 2), 1 << 20));
        Assert.True(WorkerPool.Shared.Workers >= 1);
    }
}
