namespace Prem.Llm.Training;

/// <summary>
/// A batch source that reads one rank's slice of each global batch. The trainer checks the slice
/// against its communicator, so a source built for another rank or world size fails at start
/// instead of training every rank on the same data. Wrappers around a sharded source should
/// implement it too, by forwarding.
/// </summary>
public interface IShardedBatchSource : IBatchSource
{
    /// <summary>The data-parallel rank whose slice this source reads.</summary>
    int Rank { get; }

    /// <summary>The number of data-parallel ranks the global batch is split over.</summary>
    int WorldSize { get; }
}
