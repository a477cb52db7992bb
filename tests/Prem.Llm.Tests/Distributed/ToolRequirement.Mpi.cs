using Prem.Llm.Tests.Distributed;

namespace Prem.Llm.Testing;

internal static partial class ToolRequirement
{
    /// <summary>Open MPI's <c>mpirun</c> on the PATH, for the multi-process tests.</summary>
    public static void OpenMpi() => Require(OnPath("mpirun") ? null : "Open MPI (mpirun) not found on the PATH", "build/install-mpi.sh");

    /// <summary>MPICH unpacked into .tools/mpich, for the multi-process tests of the MPICH ABI.</summary>
    public static void Mpich() => Require(File.Exists(MpiJob.MpichLauncher) ? null : $"MPICH not found ({MpiJob.MpichLauncher})", "build/install-mpi.sh");

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
}
