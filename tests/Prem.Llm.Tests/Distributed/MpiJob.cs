using System.Diagnostics;
using System.Text.Json;

namespace Prem.Llm.Tests.Distributed;

/// <summary>Runs Prem.Llm.MpiHost under mpirun (Open MPI) or MPICH's mpiexec and collects each rank's JSON.</summary>
internal sealed record MpiJob(int ExitCode, string Output, TimeSpan Elapsed, string OutputFolder)
{
    public static string Host => Path.Combine(AppContext.BaseDirectory, "Prem.Llm.MpiHost.dll");

    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Prem.Llm.sln"))) return dir.FullName;
            throw new InvalidOperationException("repository root (Prem.Llm.sln) not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>MPICH unpacked by build/install-mpi.sh.</summary>
    public static string MpichRoot => Path.Combine(RepoRoot, ".tools", "mpich", "usr");

    /// <summary>MPICH's launcher; absent until build/install-mpi.sh has run.</summary>
    public static string MpichLauncher => Path.Combine(MpichRoot, "bin", "mpiexec.hydra");

    /// <summary>Runs the host under Open MPI; skips the test (fails it under CI) when mpirun is missing.</summary>
    public static MpiJob OpenMpi(int ranks, string hostArgs)
    {
        ToolRequirement.OpenMpi();
        return Run("mpirun", $"--allow-run-as-root --oversubscribe -np {ranks} dotnet", hostArgs, []);
    }

    /// <summary>Runs the host under MPICH; skips the test (fails it under CI) when MPICH is missing.</summary>
    public static MpiJob Mpich(int ranks, string hostArgs)
    {
        ToolRequirement.Mpich();
        var lib = Path.Combine(MpichRoot, "lib", "x86_64-linux-gnu");
        return Run(MpichLauncher, $"-launcher fork -n {ranks} dotnet", hostArgs,
            new() { ["LD_LIBRARY_PATH"] = lib, ["PATH"] = Path.Combine(MpichRoot, "bin") + ":" + Environment.GetEnvironmentVariable("PATH") });
    }

    /// <summary>
    /// The host without a launcher: one process, the single-process communicator; killed after
    /// <paramref name="timeoutSeconds"/> (60 unless the job is known to be slow somewhere).
    /// </summary>
    public static MpiJob Single(string hostArgs, Dictionary<string, string>? environment = null, int timeoutSeconds = 60) =>
        Run("dotnet", "", hostArgs + " --backend single", environment ?? [], timeoutSeconds);

    private static MpiJob Run(string launcher, string prefix, string hostArgs, Dictionary<string, string> env, int timeoutSeconds = 60)
    {
        var output = TestData.TempDirectory();
        string command = $"{prefix} \"{Host}\" {hostArgs} --out \"{output}\"".TrimStart();
        var start = new ProcessStartInfo(launcher, command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (k, v) in env) start.Environment[k] = v;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{launcher} {command} did not finish in {timeoutSeconds} s: {stdout.Result}{stderr.Result}");
        }
        return new MpiJob(process.ExitCode, stdout.Result + stderr.Result, clock.Elapsed, output);
    }

    public JsonElement Rank(int rank)
    {
        var file = Path.Combine(OutputFolder, $"rank{rank}.json");
        Assert.True(File.Exists(file), $"rank {rank} wrote no result; exit {ExitCode}, output:\n{Output}");
        return JsonDocument.Parse(File.ReadAllText(file)).RootElement;
    }
}
