using Prem.Llm.Native;

namespace Prem.Llm.Distributed.Mpi;

/// <summary>
/// Collectives over the system's MPI (Open MPI, MPICH and its derivatives), through our own binding:
/// the library is found at run time, its ABI family detected from its exports, and MPI_COMM_WORLD set
/// to return errors instead of aborting so that failures become <see cref="DistributedException"/>s
/// that name the rank. A <see cref="CollectiveWatchdog"/> calls MPI_Abort when a collective hangs.
/// </summary>
internal sealed unsafe class MpiCommunicator : Communicator
{
    /// <summary>Environment variable naming the MPI library file to load instead of probing.</summary>
    public const string LibraryVariable = "PREM_MPI_LIBRARY";

    // Collectives are split so that each call's element count fits MPI's int.
    private const int MaxChunk = 1 << 30;

    private readonly MpiHandles _handles;
    private readonly CollectiveWatchdog _watchdog;
    private readonly bool _finalizeOnDispose;
    private bool _disposed;

    private MpiCommunicator(MpiHandles handles, string library, int rank, int size, int localRank, bool finalize, TimeSpan timeout)
    {
        _handles = handles;
        Library = library;
        Rank = rank;
        Size = size;
        LocalRank = localRank;
        _finalizeOnDispose = finalize;
        _watchdog = new CollectiveWatchdog(timeout, () => $"rank {Rank}/{Size}", _ => MpiNative.Abort(_handles.CommWorld, 124));
    }

    /// <inheritdoc/>
    public override int Rank { get; }

    /// <inheritdoc/>
    public override int Size { get; }

    /// <inheritdoc/>
    public override int LocalRank { get; }

    /// <summary>The ABI family of the loaded library.</summary>
    public MpiFamily Family => _handles.Family;

    /// <summary>The library file that was loaded.</summary>
    public string Library { get; }

    /// <inheritdoc/>
    public override string Backend => $"mpi ({(Family == MpiFamily.OpenMpi ? "Open MPI" : "MPICH")}, {Library})";

    /// <summary>
    /// Loads MPI, initialises it (with MPI_THREAD_MULTIPLE, so the watchdog may abort from its own
    /// thread) and checks the world against the launcher's environment.
    /// </summary>
    /// <param name="timeout">Longest time any collective may take before the job is aborted.</param>
    /// <param name="launcher">The launcher's view; read from the environment when null.</param>
    /// <param name="library">The library file; <see cref="LibraryVariable"/> or probing when null.</param>
    /// <exception cref="DistributedException">No MPI library, MPI failed to start, or the world disagrees with the launcher.</exception>
    public static MpiCommunicator Create(TimeSpan timeout, RankInfo? launcher = null, string? library = null)
    {
        launcher ??= RankInfo.FromEnvironment();
        int envRank = launcher.Launcher == LauncherKind.None ? -1 : launcher.Rank;
        int envSize = launcher.Launcher == LauncherKind.None ? -1 : launcher.Size;
        var handle = Load(library, launcher, envRank, envSize, out string loaded);
        NativeLibraries.Register(NativeLibraries.Mpi, handle);
        var handles = MpiHandles.For(handle);

        Check(MpiNative.Initialized(out int initialized), "MPI_Initialized", envRank, envSize);
        bool finalize = false;
        if (initialized == 0)
        {
            Check(MpiNative.InitThread(IntPtr.Zero, IntPtr.Zero, MpiNative.ThreadMultiple, out _), "MPI_Init_thread", envRank, envSize);
            finalize = true;
        }
        Check(MpiNative.CommSetErrhandler(handles.CommWorld, handles.ErrorsReturn), "MPI_Comm_set_errhandler", envRank, envSize);
        Check(MpiNative.CommRank(handles.CommWorld, out int rank), "MPI_Comm_rank", envRank, envSize);
        Check(MpiNative.CommSize(handles.CommWorld, out int size), "MPI_Comm_size", rank, envSize);

        if (launcher.Launcher != LauncherKind.None && (launcher.Size != size || launcher.Rank != rank))
        {
            var message = $"the {launcher.Launcher} launcher started rank {launcher.Rank} of {launcher.Size}, but {loaded} " +
                          $"sees rank {rank} of {size}: the program was launched by a different MPI than the one it loaded " +
                          $"(set {LibraryVariable} to the launcher's libmpi).";
            if (finalize) MpiNative.Finalize();
            throw new DistributedException(launcher.Rank, launcher.Size, message);
        }
        int localRank = launcher.Launcher == LauncherKind.None ? 0 : launcher.LocalRank;
        return new MpiCommunicator(handles, loaded, rank, size, localRank, finalize, timeout);
    }

    /// <summary>The library files tried, in order, for <paramref name="launcher"/>.</summary>
    public static IReadOnlyList<string> Candidates(RankInfo launcher, string? library = null)
    {
        library ??= Environment.GetEnvironmentVariable(LibraryVariable);
        if (!string.IsNullOrWhiteSpace(library)) return [library];
        // Open MPI's soname is libmpi.so.40; MPICH's is libmpich.so.12 (Debian also links libmpi.so.12 to it).
        return launcher.Launcher switch
        {
            LauncherKind.OpenMpi => ["libmpi.so.40", "libmpi.so"],
            LauncherKind.Hydra => ["libmpich.so.12", "libmpi.so.12", "libmpi.so"],
            _ => ["libmpi.so.40", "libmpich.so.12", "libmpi.so.12", "libmpi.so"],
        };
    }

    private static IntPtr Load(string? library, RankInfo launcher, int rank, int size, out string loaded)
    {
        var errors = new List<string>();
        var candidates = Candidates(launcher, library);
        if (NativeLibraries.TryLoadFirst(candidates, out var handle, out var file, errors))
        {
            loaded = file!;
            return handle;
        }
        throw new DistributedException(rank, size,
            $"no MPI library found (tried {string.Join("; ", errors)}). Install Open MPI (apt-get install openmpi-bin) " +
            $"or MPICH, or set {LibraryVariable} to the libmpi file.");
    }

    /// <inheritdoc/>
    public override void AllReduce(Span<float> buffer, ReduceOp op = ReduceOp.Sum)
    {
        fixed (float* p = buffer) AllReduce(p, buffer.Length, sizeof(float), _handles.Float, op, "float32");
    }

    /// <inheritdoc/>
    public override void AllReduce(Span<double> buffer, ReduceOp op = ReduceOp.Sum)
    {
        fixed (double* p = buffer) AllReduce(p, buffer.Length, sizeof(double), _handles.Double, op, "float64");
    }

    /// <inheritdoc/>
    public override void Broadcast(Span<byte> buffer, int root = 0)
    {
        CheckRoot(root);
        fixed (byte* p = buffer)
        {
            for (int start = 0; start < buffer.Length || start == 0; start += MaxChunk)
            {
                int count = Math.Min(MaxChunk, buffer.Length - start);
                using (_watchdog.Watch($"broadcast of {buffer.Length} bytes from rank {root}"))
                    Check(MpiNative.Bcast(p + start, count, _handles.Byte, root, _handles.CommWorld), "MPI_Bcast");
                if (buffer.Length == 0) break;
            }
        }
    }

    /// <inheritdoc/>
    public override void Barrier()
    {
        using (_watchdog.Watch("barrier"))
            Check(MpiNative.Barrier(_handles.CommWorld), "MPI_Barrier");
    }

    /// <summary>Ends every rank of the job with <paramref name="code"/> (after a fatal error on this rank).</summary>
    public void Abort(int code) => MpiNative.Abort(_handles.CommWorld, code);

    /// <summary>Stops the watchdog and finalises MPI if this communicator initialised it.</summary>
    public override void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _watchdog.Dispose();
        if (_finalizeOnDispose && MpiNative.Finalized(out int finalized) == MpiNative.Success && finalized == 0)
            MpiNative.Finalize();
        base.Dispose();
    }

    private void AllReduce(void* data, int length, int elementSize, IntPtr datatype, ReduceOp op, string typeName)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var opHandle = _handles.Op(op);
        for (int start = 0; start < length; start += MaxChunk)
        {
            int count = Math.Min(MaxChunk, length - start);
            using (_watchdog.Watch($"all-reduce ({op}) of {length} {typeName} values"))
                Check(MpiNative.Allreduce((void*)_handles.InPlace, (byte*)data + (long)start * elementSize, count, datatype, opHandle, _handles.CommWorld), "MPI_Allreduce");
        }
    }

    private void Check(int code, string function)
    {
        if (code != MpiNative.Success) throw new DistributedException(Rank, Size, $"{function} failed: {MpiNative.Describe(code)}.");
    }

    private static void Check(int code, string function, int rank, int size)
    {
        if (code != MpiNative.Success) throw new DistributedException(rank, size, $"{function} failed: {MpiNative.Describe(code)}.");
    }
}
