namespace Prem.Llm.Distributed;

/// <summary>
/// Where a rank writes its human-readable log: rank 0 to the console (it alone owns the progress
/// bar, metrics and checkpoints), every other rank to <c>rank{r}.log</c> in a folder, so N ranks do
/// not interleave N copies of the same lines and each rank's last words survive a crash.
/// </summary>
internal static class RankLog
{
    /// <summary>The log writer of <paramref name="rank"/>: <paramref name="console"/> for rank 0, else a file in <paramref name="folder"/>.</summary>
    /// <param name="rank">This rank.</param>
    /// <param name="folder">Folder of the per-rank files; created when needed.</param>
    /// <param name="console">Rank 0's writer; <see cref="Console.Out"/> when null.</param>
    public static TextWriter Open(int rank, string folder, TextWriter? console = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (rank == 0) return console ?? Console.Out;
        Directory.CreateDirectory(folder);
        var stream = new FileStream(Path.Combine(folder, $"rank{rank}.log"), FileMode.Append, FileAccess.Write, FileShare.Read);
        return new StreamWriter(stream) { AutoFlush = true };
    }
}
