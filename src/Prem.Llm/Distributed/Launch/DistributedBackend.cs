namespace Prem.Llm.Distributed.Launch;

/// <summary>Which communicator <see cref="Communicators.Create"/> builds.</summary>
public enum DistributedBackend
{
    /// <summary>From the launcher: none → single process; mpirun, mpiexec, srun → MPI; torchrun-style → NCCL.</summary>
    Auto,

    /// <summary>One process, no communication.</summary>
    Single,

    /// <summary>MPI for everything (CPU tensors, float32 buckets).</summary>
    Mpi,

    /// <summary>NCCL for CUDA tensors; its unique id over MPI when launched by an MPI, else over TCP.</summary>
    Nccl,
}
