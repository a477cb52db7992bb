namespace Prem.Llm.Generation.Cpu;

/// <summary>A job the <see cref="WorkerPool"/> runs in numbered chunks, each chunk once, on any worker.</summary>
internal interface IPoolJob
{
    /// <summary>Runs chunk <paramref name="chunk"/> on worker <paramref name="worker"/> (0 is the calling thread).</summary>
    void Execute(int chunk, int worker);
}
