namespace Prem.Llm.Distributed.Mpi;

/// <summary>The two ABI families of MPI libraries on Linux.</summary>
internal enum MpiFamily
{
    /// <summary>Open MPI: handles are addresses of exported globals (<c>ompi_mpi_comm_world</c>...).</summary>
    OpenMpi,

    /// <summary>MPICH and its derivatives (Intel MPI, MVAPICH, Cray MPICH): handles are integer constants.</summary>
    Mpich,
}
