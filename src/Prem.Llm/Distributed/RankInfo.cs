using System.Collections;
using System.Globalization;

namespace Prem.Llm.Distributed;

/// <summary>
/// This process's place in the job, as its launcher describes it in environment variables. MPI
/// launchers are checked first (they also set the torchrun names in some setups), then Slurm, then
/// torchrun-style variables; none of them means a single process.
/// </summary>
/// <param name="Rank">Global rank in [0, Size).</param>
/// <param name="Size">Number of ranks (the world size).</param>
/// <param name="LocalRank">Rank on this machine: the GPU this rank uses.</param>
/// <param name="Launcher">Which launcher's variables were found.</param>
/// <param name="MasterAddress">The rendezvous host (MASTER_ADDR), when set.</param>
/// <param name="MasterPort">The rendezvous port (MASTER_PORT), when set.</param>
public sealed record RankInfo(int Rank, int Size, int LocalRank, LauncherKind Launcher,
    string? MasterAddress = null, int? MasterPort = null)
{
    /// <summary>One process, rank 0 of 1.</summary>
    public static RankInfo Single { get; } = new(0, 1, 0, LauncherKind.None);

    /// <summary>True for rank 0, the rank that writes checkpoints, metrics and the progress bar.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>Reads the current process's environment.</summary>
    public static RankInfo FromEnvironment() => FromEnvironment(ReadProcessEnvironment());

    /// <summary>Reads <paramref name="environment"/> (a fake one in tests).</summary>
    /// <exception cref="DistributedException">A variable is not a number, or rank/size are inconsistent.</exception>
    public static RankInfo FromEnvironment(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? addr = Get(environment, "MASTER_ADDR");
        int? port = Number(environment, "MASTER_PORT");
        if (port is < 1 or > 65535) throw new DistributedException(-1, -1, $"MASTER_PORT={port} is not a TCP port (1..65535).");

        RankInfo? info =
            Read(environment, LauncherKind.OpenMpi, "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK")
            ?? Read(environment, LauncherKind.Hydra, "PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID")
            ?? Read(environment, LauncherKind.Slurm, "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID")
            ?? Read(environment, LauncherKind.TorchRun, "RANK", "WORLD_SIZE", "LOCAL_RANK");
        return (info ?? Single) with { MasterAddress = addr, MasterPort = port };
    }

    private static RankInfo? Read(IReadOnlyDictionary<string, string> env, LauncherKind kind, string rankName, string sizeName, string localName)
    {
        int? rank = Number(env, rankName);
        if (rank is null) return null;
        int size = Number(env, sizeName)
            ?? throw new DistributedException(rank.Value, -1, $"{rankName} is set but {sizeName} is not: the {kind} launcher environment is incomplete.");
        if (size < 1) throw new DistributedException(rank.Value, size, $"{sizeName}={size} must be at least 1.");
        if (rank < 0 || rank >= size) throw new DistributedException(rank.Value, size, $"{rankName}={rank} is outside [0, {sizeName}={size}).");
        // Without a local rank (Hydra without MPI_LOCALRANKID, or a hand-made env), one rank per machine is the safe guess.
        int local = Number(env, localName) ?? 0;
        if (local < 0 || local >= size) throw new DistributedException(rank.Value, size, $"{localName}={local} is outside [0, {size}).");
        return new RankInfo(rank.Value, size, local, kind);
    }

    private static string? Get(IReadOnlyDictionary<string, string> env, string name) =>
        env.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static int? Number(IReadOnlyDictionary<string, string> env, string name)
    {
        var text = Get(env, name);
        if (text is null) return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            throw new DistributedException(-1, -1, $"environment variable {name}='{text}' is not an integer.");
        return value;
    }

    private static Dictionary<string, string> ReadProcessEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            result[(string)entry.Key] = entry.Value as string ?? "";
        return result;
    }
}
