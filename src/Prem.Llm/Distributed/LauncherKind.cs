namespace Prem.Llm.Distributed;

/// <summary>Which launcher's environment variables gave this process its rank.</summary>
public enum LauncherKind
{
    /// <summary>No launcher: a single process.</summary>
    None,

    /// <summary>Open MPI's mpirun (OMPI_COMM_WORLD_*).</summary>
    OpenMpi,

    /// <summary>MPICH's Hydra mpiexec and its derivatives (PMI_RANK, PMI_SIZE, MPI_LOCALRANKID).</summary>
    Hydra,

    /// <summary>Slurm's srun (SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID).</summary>
    Slurm,

    /// <summary>torchrun and other env launchers (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR/PORT).</summary>
    TorchRun,
}
