using Prem.Llm.Distributed;

namespace Prem.Llm.Training;

/// <summary>
/// Gives each data-parallel rank its distinct slice of every global batch: the loader (<see cref="BatchLoader{TExample, TBatch}"/>) takes global
/// batch s as the examples [s·G, (s+1)·G) of the epoch's order with G = BatchSize × WorldSize, and
/// rank r the slice [r·BatchSize, (r+1)·BatchSize). Positions are counted in global batches, so
/// every rank saves the same position and a checkpoint resumes on any world size with the same G.
/// </summary>
public static class BatchSharding
{
    /// <summary><paramref name="options"/> for this rank of <paramref name="communicator"/>; BatchSize stays the per-rank micro-batch.</summary>
    public static BatchLoaderOptions ForRank(this BatchLoaderOptions options, ICommunicator communicator)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(communicator);
        return options with { Rank = communicator.Rank, WorldSize = communicator.Size };
    }

    /// <summary>
    /// Throws when a sharded <paramref name="source"/> (<see cref="IShardedBatchSource"/>) is sharded for another rank or world size
    /// than <paramref name="communicator"/>'s (every rank would train on the same data, or some on none).
    /// Other sources are the caller's to shard.
    /// </summary>
    /// <exception cref="TrainingException">The shard does not match.</exception>
    public static void Check(IBatchSource source, ICommunicator communicator, string name)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(communicator);
        if (source is IShardedBatchSource loader && (loader.Rank != communicator.Rank || loader.WorldSize != communicator.Size))
            throw new TrainingException($"rank {communicator.Rank}/{communicator.Size}: the {name} batch source reads shard " +
                $"{loader.Rank} of {loader.WorldSize}; build its loader options with .ForRank(communicator).");
    }
}
