namespace Prem.Llm.Distributed;

/// <summary>
/// A failure of distributed training: a library not found, a launcher environment that does not add
/// up, a peer that died or timed out, a collective that failed. The message always names the rank
/// (as "rank r/n") and the cause, because it is often read in one of many interleaved logs.
/// </summary>
public sealed class DistributedException : Exception
{
    /// <summary>Creates the exception for <paramref name="rank"/> (-1 when the rank is not known yet).</summary>
    public DistributedException(int rank, int size, string message, Exception? inner = null)
        : base(Format(rank, size, message), inner)
    {
        Rank = rank;
        Size = size;
    }

    /// <summary>The rank that raised it, or -1 when the rank was not known yet.</summary>
    public int Rank { get; }

    /// <summary>The world size as this rank saw it, or -1 when not known yet.</summary>
    public int Size { get; }

    private static string Format(int rank, int size, string message) =>
        rank < 0 ? $"distributed: {message}" : $"distributed: rank {rank}/{(size < 0 ? "?" : size.ToString())}: {message}";
}
