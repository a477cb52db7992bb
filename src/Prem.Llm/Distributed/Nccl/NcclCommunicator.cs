using Prem.Llm.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Distributed.Nccl;

/// <summary>
/// Collectives on CUDA tensors through NCCL (libnccl.so.2), one GPU per local rank. The 128-byte
/// unique id that joins the ranks comes from rank 0 over an existing communicator (MPI) or, without
/// MPI, over <see cref="TcpRendezvous"/> at MASTER_ADDR:MASTER_PORT. Each collective runs on the
/// legacy default stream (the one TorchSharp uses) and is waited for under a watchdog that calls
/// ncclCommAbort when it hangs. Host spans go through a device copy.
/// </summary>
internal sealed class NcclCommunicator : Communicator
{
    /// <summary>Environment variable naming the NCCL library file to load.</summary>
    public const string LibraryVariable = "PREM_NCCL_LIBRARY";

    private readonly NcclCommHandle _comm;
    private readonly CollectiveWatchdog _watchdog;
    private bool _disposed;

    private NcclCommunicator(NcclCommHandle comm, int rank, int size, int localRank, TimeSpan timeout)
    {
        _comm = comm;
        Rank = rank;
        Size = size;
        LocalRank = localRank;
        _watchdog = new CollectiveWatchdog(timeout, () => $"rank {Rank}/{Size} (cuda:{LocalRank})", _ => NcclNative.CommAbort(_comm));
    }

    /// <inheritdoc/>
    public override int Rank { get; }

    /// <inheritdoc/>
    public override int Size { get; }

    /// <inheritdoc/>
    public override int LocalRank { get; }

    /// <inheritdoc/>
    public override string Backend => "nccl";

    /// <summary>The CUDA device of this rank.</summary>
    public Device Device => new(DeviceType.CUDA, LocalRank);

    /// <summary>
    /// Loads NCCL and the CUDA driver and makes this rank's GPU current; throws when either is missing.
    /// </summary>
    /// <exception cref="DistributedException">libnccl.so.2 or libcuda.so.1 not found, naming the rank and what was tried.</exception>
    public static void LoadLibraries(RankInfo info, string? library = null)
    {
        Load(NativeLibraries.Nccl, [library ?? Environment.GetEnvironmentVariable(LibraryVariable) ?? "libnccl.so.2", "libnccl.so"],
            info, "NCCL", "install NCCL (libnccl2) or set " + LibraryVariable);
        Load(NativeLibraries.CudaDriver, ["libcuda.so.1"], info, "the CUDA driver", "NCCL needs an NVIDIA GPU and its driver");
    }

    /// <summary>Joins the NCCL group of <paramref name="info"/>'s world.</summary>
    /// <param name="info">Rank, size and local rank (the GPU index), and the rendezvous address when <paramref name="bootstrap"/> is null.</param>
    /// <param name="timeout">Deadline of the rendezvous and of each collective.</param>
    /// <param name="bootstrap">An MPI communicator of the same world to broadcast the unique id over; TCP rendezvous when null.</param>
    /// <param name="library">The NCCL library file; <see cref="LibraryVariable"/> or libnccl.so.2 when null.</param>
    public static NcclCommunicator Create(RankInfo info, TimeSpan timeout, ICommunicator? bootstrap = null, string? library = null)
    {
        ArgumentNullException.ThrowIfNull(info);
        LoadLibraries(info, library);
        int rank = bootstrap?.Rank ?? info.Rank, size = bootstrap?.Size ?? info.Size, local = bootstrap?.LocalRank ?? info.LocalRank;
        Cuda(CudaDriverApi.Init(0), "cuInit", rank, size);
        Cuda(CudaDriverApi.DeviceGet(out int device, local), $"cuDeviceGet({local})", rank, size);
        Cuda(CudaDriverApi.DevicePrimaryCtxRetain(out var context, device), "cuDevicePrimaryCtxRetain", rank, size);
        Cuda(CudaDriverApi.CtxSetCurrent(context), "cuCtxSetCurrent", rank, size);

        var id = new byte[NcclNative.UniqueIdBytes];
        if (rank == 0) Nccl(GetUniqueId(id), "ncclGetUniqueId", rank, size);
        if (bootstrap is not null) bootstrap.Broadcast(id.AsSpan(), 0);
        else
        {
            if (info.MasterAddress is null || info.MasterPort is null)
                throw new DistributedException(rank, size, "NCCL without MPI needs MASTER_ADDR and MASTER_PORT for the rendezvous.");
            id = TcpRendezvous.Exchange(info.MasterAddress, info.MasterPort.Value, rank, size, id, timeout);
        }
        Nccl(InitRank(id, rank, size, out var comm), "ncclCommInitRank", rank, size);
        return new NcclCommunicator(comm, rank, size, local, timeout);
    }

    /// <inheritdoc/>
    public override void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.device_type != DeviceType.CUDA) { base.AllReduce(tensor, op); return; }
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var work = tensor.is_contiguous() ? tensor : tensor.contiguous();
        var pointer = TensorMemory.DataPointer(work);
        Run(NcclNative.AllReduce(pointer, pointer, (nuint)work.numel(), DataType(work.dtype), NcclOp(op), _comm, IntPtr.Zero),
            $"all-reduce ({op}) of {work.numel()} {work.dtype} values");
        if (!ReferenceEquals(work, tensor)) tensor.copy_(work);
    }

    /// <inheritdoc/>
    public override void Broadcast(Tensor tensor, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CheckRoot(root);
        if (tensor.device_type != DeviceType.CUDA) { base.Broadcast(tensor, root); return; }
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var work = tensor.is_contiguous() ? tensor : tensor.contiguous();
        var pointer = TensorMemory.DataPointer(work);
        Run(NcclNative.Broadcast(pointer, pointer, (nuint)(work.numel() * work.element_size()), NcclNative.Uint8, root, _comm, IntPtr.Zero),
            $"broadcast of {work.numel()} {work.dtype} values from rank {root}");
        if (!ReferenceEquals(work, tensor)) tensor.copy_(work);
    }

    /// <inheritdoc/>
    public override void AllReduce(Span<float> buffer, ReduceOp op = ReduceOp.Sum)
    {
        using var device = tensor(buffer.ToArray()).to(Device);
        AllReduce(device, op);
        using var host = device.cpu();
        TensorMemory.FloatSpan(host).CopyTo(buffer);
    }

    /// <inheritdoc/>
    public override void AllReduce(Span<double> buffer, ReduceOp op = ReduceOp.Sum)
    {
        using var device = tensor(buffer.ToArray()).to(Device);
        AllReduce(device, op);
        using var host = device.cpu();
        TensorMemory.DoubleSpan(host).CopyTo(buffer);
    }

    /// <inheritdoc/>
    public override void Broadcast(Span<byte> buffer, int root = 0)
    {
        using var device = tensor(buffer.ToArray()).to(Device);
        Broadcast(device, root);
        using var host = device.cpu();
        TensorMemory.ByteSpan(host).CopyTo(buffer);
    }

    /// <inheritdoc/>
    public override void Barrier()
    {
        Span<float> one = [1f];
        AllReduce(one);
    }

    /// <summary>Destroys the NCCL communicator.</summary>
    public override void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _watchdog.Dispose();
        _comm.Dispose();
        base.Dispose();
    }

    private void Run(int result, string operation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Nccl(result, operation, Rank, Size);
        using (_watchdog.Watch(operation))
            Cuda(CudaDriverApi.StreamSynchronize(IntPtr.Zero), "cuStreamSynchronize after " + operation, Rank, Size);
        Nccl(NcclNative.CommGetAsyncError(_comm, out int asyncError) is var r && r != NcclNative.Success ? r : asyncError, operation, Rank, Size);
    }

    private int DataType(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => NcclNative.Float32,
        ScalarType.Float64 => NcclNative.Float64,
        ScalarType.BFloat16 => NcclNative.BFloat16,
        ScalarType.Float16 => NcclNative.Float16,
        _ => throw new DistributedException(Rank, Size, $"NCCL all-reduce of {dtype} tensors is not supported."),
    };

    /// <summary>ncclRedOp_t of <paramref name="op"/>.</summary>
    private static int NcclOp(ReduceOp op) => op switch
    {
        ReduceOp.Sum => NcclNative.Sum,
        ReduceOp.Max => NcclNative.Max,
        ReduceOp.Min => NcclNative.Min,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown reduction."),
    };

    private static unsafe int GetUniqueId(byte[] id)
    {
        int result = NcclNative.GetUniqueId(out var unique);
        new ReadOnlySpan<byte>(unique.Internal, NcclNative.UniqueIdBytes).CopyTo(id);
        return result;
    }

    private static unsafe int InitRank(byte[] id, int rank, int size, out NcclCommHandle comm)
    {
        var unique = new NcclNative.UniqueId();
        id.AsSpan().CopyTo(new Span<byte>(unique.Internal, NcclNative.UniqueIdBytes));
        return NcclNative.CommInitRank(out comm, size, unique, rank);
    }

    private static void Load(string logicalName, string[] candidates, RankInfo info, string what, string hint)
    {
        if (NativeLibraries.TryGet(logicalName, out _)) return;
        var errors = new List<string>();
        if (!NativeLibraries.TryLoadFirst(candidates, out var handle, out _, errors))
            throw new DistributedException(info.Rank, info.Size, $"{what} not found (tried {string.Join("; ", errors)}); {hint}.");
        NativeLibraries.Register(logicalName, handle);
    }

    private static void Nccl(int result, string function, int rank, int size)
    {
        if (result != NcclNative.Success) throw new DistributedException(rank, size, $"{function} failed: {NcclNative.Describe(result)}.");
    }

    private static void Cuda(int result, string function, int rank, int size)
    {
        if (result != 0) throw new DistributedException(rank, size, $"{function} failed with CUDA error {result}.");
    }
}
