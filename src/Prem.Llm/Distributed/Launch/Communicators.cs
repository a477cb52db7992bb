using Prem.Llm.Distributed.Mpi;
using Prem.Llm.Distributed.Nccl;

namespace Prem.Llm.Distributed.Launch;

/// <summary>Builds the communicator a training run asks for, from the launcher's environment.</summary>
public static class Communicators
{
    /// <summary>Default deadline of a rendezvous or a collective: long enough for a slow first step.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromMinutes(10);

    /// <summary>The backend <see cref="DistributedBackend.Auto"/> picks for <paramref name="info"/>.</summary>
    public static DistributedBackend Resolve(DistributedBackend backend, RankInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (backend != DistributedBackend.Auto) return backend;
        return info.Launcher switch
        {
            LauncherKind.None => DistributedBackend.Single,
            LauncherKind.TorchRun => DistributedBackend.Nccl,
            _ => DistributedBackend.Mpi,
        };
    }

    /// <summary>
    /// What a training command calls: the communicator this process was launched for — single-process
    /// when no launcher variables are set (a plain <c>prem pretrain</c>), MPI under mpirun / mpiexec /
    /// srun, NCCL under torchrun-style launchers — without loading any MPI library in the single case.
    /// </summary>
    /// <param name="timeout">Deadline of each collective; <see cref="DefaultTimeout"/> when null.</param>
    public static ICommunicator FromEnvironment(TimeSpan? timeout = null) => Create(DistributedBackend.Auto, timeout);

    /// <summary>Creates the communicator for <paramref name="backend"/> and this process's launcher.</summary>
    /// <param name="backend">What to build; <see cref="DistributedBackend.Auto"/> decides from the launcher.</param>
    /// <param name="timeout">Deadline of each collective and of the rendezvous; <see cref="DefaultTimeout"/> when null.</param>
    /// <param name="info">The launcher's view; read from the environment when null.</param>
    /// <exception cref="DistributedException">The backend's library is missing or the ranks do not add up.</exception>
    public static ICommunicator Create(DistributedBackend backend = DistributedBackend.Auto, TimeSpan? timeout = null, RankInfo? info = null)
    {
        info ??= RankInfo.FromEnvironment();
        var deadline = timeout ?? DefaultTimeout;
        switch (Resolve(backend, info))
        {
            case DistributedBackend.Single:
                if (info.Size != 1)
                    throw new DistributedException(info.Rank, info.Size, $"the {info.Launcher} launcher started {info.Size} ranks but the single-process backend was chosen.");
                return new SingleProcessCommunicator();
            case DistributedBackend.Mpi:
                return MpiCommunicator.Create(deadline, info);
            default:
                if (info.Launcher is LauncherKind.OpenMpi or LauncherKind.Hydra or LauncherKind.Slurm)
                {
                    // The MPI communicator only carries the unique id; it stays alive for MPI_Finalize at exit.
                    var mpi = MpiCommunicator.Create(deadline, info);
                    return NcclCommunicator.Create(info, deadline, mpi);
                }
                return NcclCommunicator.Create(info, deadline);
        }
    }
}
