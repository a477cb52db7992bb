using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Distributed;

/// <summary>
/// Data-parallel training over an <see cref="ICommunicator"/>: every rank holds the whole model, runs
/// its share of each global batch, and the gradients are all-reduced before the optimizer step, so
/// every rank applies the same update and the replicas stay identical.
/// <para>
/// The trainer's seam, per optimizer step: <see cref="BroadcastParameters"/> and
/// <see cref="VerifyParametersEqual"/> once at start (after loading or initialising weights, before
/// building the optimizer's state); forward/backward on each micro-batch with gradients
/// accumulating; <see cref="AllReduceGradients(nn.Module)"/> once on the accumulation boundary;
/// then clipping (<see cref="ClipGradNorm"/>) and the optimizer step. After the all-reduce the
/// gradients are equal on every rank, so the clipping norm — and the update — are equal too.
/// </para>
/// </summary>
public sealed class DataParallel : IDisposable
{
    /// <summary>PyTorch DDP's default bucket: large enough to amortise per-call latency, small enough to pipeline.</summary>
    public const long DefaultBucketBytes = 25L << 20;

    private readonly GradientBuckets _buckets;

    /// <summary>Creates the data-parallel helper.</summary>
    /// <param name="communicator">The group of ranks.</param>
    /// <param name="reduction">How the ranks' gradients combine; no choice is right for every loss, so it has no
    /// default. <see cref="GradientReduction.Sum"/> for losses normalised by a count all-reduced over the ranks
    /// (what <see cref="Training.Trainer"/> does for every objective: pretraining, SFT and DPO);
    /// <see cref="GradientReduction.Average"/> only when each rank's loss is the mean over its own micro-batch and
    /// every rank's micro-batches weigh the same (e.g. packed windows with all tokens as targets).</param>
    /// <param name="bucketBytes">Gradient bytes (as float32) per all-reduce call.</param>
    public DataParallel(ICommunicator communicator, GradientReduction reduction, long bucketBytes = DefaultBucketBytes)
    {
        Communicator = communicator ?? throw new ArgumentNullException(nameof(communicator));
        if (!Enum.IsDefined(reduction)) throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown gradient reduction.");
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketBytes, 4L);
        BucketBytes = bucketBytes;
        Reduction = reduction;
        _buckets = new GradientBuckets(communicator, bucketBytes / sizeof(float));
    }

    /// <summary>The group of ranks.</summary>
    public ICommunicator Communicator { get; }

    /// <summary>Gradient bytes (as float32) per all-reduce call.</summary>
    public long BucketBytes { get; }

    /// <summary>Average or sum over ranks.</summary>
    public GradientReduction Reduction { get; }

    /// <summary>Number of all-reduce calls the last <see cref="AllReduceGradients(nn.Module)"/> made.</summary>
    public int LastBucketCount => _buckets.LastCount;

    /// <summary>Copies <paramref name="root"/>'s parameters (and buffers) into every rank's <paramref name="module"/>.</summary>
    public void BroadcastParameters(nn.Module module, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (Communicator.Size == 1) return;
        using var noGrad = no_grad();
        foreach (var (_, parameter) in module.named_parameters()) Communicator.Broadcast(parameter, root);
        foreach (var (_, buffer) in module.named_buffers()) Communicator.Broadcast(buffer, root);
    }

    /// <summary>
    /// Checks that every rank holds bit-identical parameters (by <see cref="ParameterChecksum"/>).
    /// </summary>
    /// <exception cref="DistributedException">On every rank, naming the ranks whose weights differ from rank 0's.</exception>
    public void VerifyParametersEqual(nn.Module module)
    {
        ulong local = ParameterChecksum.Compute(module);
        if (Communicator.Size == 1) return;
        Span<byte> rootBytes = stackalloc byte[sizeof(ulong)];
        BitConverter.TryWriteBytes(rootBytes, local);
        Communicator.Broadcast(rootBytes, 0);
        ulong root = BitConverter.ToUInt64(rootBytes);
        // Each rank marks its own slot when it differs, so every rank learns exactly which ones do.
        var differs = new double[Communicator.Size];
        differs[Communicator.Rank] = local == root ? 0 : 1;
        Communicator.AllReduce(differs.AsSpan());
        var bad = Enumerable.Range(0, differs.Length).Where(r => differs[r] != 0).ToArray();
        if (bad.Length > 0)
            throw new DistributedException(Communicator.Rank, Communicator.Size,
                $"parameters differ from rank 0's on rank(s) {string.Join(", ", bad)} (checksum here {local:x16}, rank 0 {root:x16}).");
    }

    /// <summary>All-reduces the gradients of <paramref name="module"/>'s parameters (see <see cref="AllReduceGradients(IEnumerable{Tensor})"/>).</summary>
    public void AllReduceGradients(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        AllReduceGradients(module.parameters());
    }

    /// <summary>
    /// All-reduces the gradients of <paramref name="parameters"/> in float32 buckets of
    /// <see cref="BucketBytes"/>, in reverse registration order (the order backward produces them),
    /// and averages or sums them per <see cref="Reduction"/>. Call once per optimizer step, after the
    /// last micro-batch's backward. Parameters without a gradient are skipped; that must be the same
    /// on every rank (it is, when every rank runs the same model).
    /// </summary>
    public void AllReduceGradients(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (Communicator.Size == 1) return;
        var grads = parameters.Reverse().Select(p => p.grad).OfType<Tensor>().ToList();
        double scale = Reduction == GradientReduction.Average ? 1.0 / Communicator.Size : 1.0;
        _buckets.Reduce(grads, scale);
    }

    /// <summary>
    /// Scales gradients so their global L2 norm is at most <paramref name="maxNorm"/>; returns the norm
    /// before clipping. Call after <see cref="AllReduceGradients(nn.Module)"/>: the gradients, hence
    /// the norm and the scale, are then the same on every rank.
    /// </summary>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxNorm);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var grads = parameters.Select(p => p.grad).OfType<Tensor>().ToList();
        if (grads.Count == 0) return 0;
        // Norms in float64 so the result does not depend on how the sum is grouped more than float64 rounding.
        double total = Math.Sqrt(grads.Sum(g => g.to(ScalarType.Float64).square().sum().item<double>()));
        double coefficient = maxNorm / (total + 1e-6);
        if (coefficient < 1)
            foreach (var g in grads) g.mul_(coefficient);
        return total;
    }

    /// <summary>
    /// The global L2 norm of gradients that are sharded across ranks (each rank holds a disjoint part,
    /// as with ZeRO): the square root of the all-reduced sum of squares. Replicated gradients need no
    /// communication; use <see cref="ClipGradNorm"/>.
    /// </summary>
    public double ShardedGradNorm(IEnumerable<Tensor> shardGradients)
    {
        ArgumentNullException.ThrowIfNull(shardGradients);
        using var scope = NewDisposeScope();
        double local = shardGradients.Sum(g => g.to(ScalarType.Float64).square().sum().item<double>());
        return Math.Sqrt(Communicator.AllReduceValue(local));
    }

    /// <summary>Releases the bucket buffer.</summary>
    public void Dispose() => _buckets.Dispose();
}
