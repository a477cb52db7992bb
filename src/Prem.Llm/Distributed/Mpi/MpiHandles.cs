using System.Runtime.InteropServices;

namespace Prem.Llm.Distributed.Mpi;

/// <summary>
/// The MPI handles the binding uses, for one loaded library. In C they are macros of mpi.h, so a
/// binary binding has to rebuild them per ABI family. All are passed as pointer-sized integers: on
/// x86-64 and arm64 an <c>int</c> handle (MPICH) and a pointer handle (Open MPI) both travel in one
/// integer register, and the callee reads the low 32 bits of an <c>int</c>, so one declaration serves
/// both families.
/// </summary>
internal sealed record MpiHandles(MpiFamily Family, IntPtr CommWorld, IntPtr Float, IntPtr Double, IntPtr Byte,
    IntPtr Sum, IntPtr Max, IntPtr Min, IntPtr ErrorsReturn, IntPtr InPlace)
{
    // Values of Debian 12's MPICH 4.0.2 mpi.h (libmpich-dev), the MPICH ABI shared by its derivatives.
    private const int MpichCommWorld = 0x44000000;
    private const int MpichFloat = 0x4c00040a;
    private const int MpichDouble = 0x4c00080b;
    private const int MpichByte = 0x4c00010d;
    private const int MpichMax = 0x58000001;
    private const int MpichMin = 0x58000002;
    private const int MpichSum = 0x58000003;
    private const int MpichErrorsReturn = 0x54000001;

    /// <summary>The MPICH-family handles.</summary>
    public static MpiHandles Mpich { get; } = new(MpiFamily.Mpich, MpichCommWorld, MpichFloat, MpichDouble, MpichByte,
        MpichSum, MpichMax, MpichMin, MpichErrorsReturn, InPlace: -1);

    /// <summary>
    /// Detects the family of the loaded <paramref name="library"/>: Open MPI exports
    /// <c>ompi_mpi_comm_world</c>, MPICH does not.
    /// </summary>
    public static MpiHandles For(IntPtr library)
    {
        if (!NativeLibrary.TryGetExport(library, "ompi_mpi_comm_world", out var commWorld)) return Mpich;
        IntPtr Export(string name) => NativeLibrary.GetExport(library, name);
        return new MpiHandles(MpiFamily.OpenMpi, commWorld, Export("ompi_mpi_float"), Export("ompi_mpi_double"),
            Export("ompi_mpi_byte"), Export("ompi_mpi_op_sum"), Export("ompi_mpi_op_max"), Export("ompi_mpi_op_min"),
            Export("ompi_mpi_errors_return"), InPlace: 1);
    }

    /// <summary>The handle of <paramref name="op"/>.</summary>
    public IntPtr Op(ReduceOp op) => op switch
    {
        ReduceOp.Sum => Sum,
        ReduceOp.Max => Max,
        ReduceOp.Min => Min,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown reduction."),
    };
}
