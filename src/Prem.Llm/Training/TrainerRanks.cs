using System.Text;
using Prem.Llm.Distributed;
using Prem.Llm.Modeling;
using static TorchSharp.torch;

namespace Prem.Llm.Training;

/// <summary>
/// The trainer's data-parallel side: every collective the trainer makes goes through here, and with
/// one rank none of them runs, so the single-process path is exactly the code it was before.
/// <para>
/// The normalisation (the objective's rule, extended across ranks): a step's loss is
/// Σ<sub>all ranks, all micro-batches</sub> (per-unit losses) ÷ U, with U the units of the whole
/// global batch. Each rank knows only its own units u<sub>r</sub>, so U = Σ<sub>r</sub> u<sub>r</sub>
/// is all-reduced before the first forward and every micro-batch's loss is scaled by 1/U. Rank r's
/// accumulated gradient is then Σ<sub>its units</sub> ∇ℓ ÷ U, and the SUM over ranks is
/// Σ<sub>all units</sub> ∇ℓ ÷ U — exactly the single-process gradient of the same global batch. An
/// average over ranks would be right only when every rank holds the same number of units (packed
/// windows without padding), and wrong for SFT and DPO batches.
/// </para>
/// </summary>
internal sealed class TrainerRanks : IDisposable
{
    private readonly DataParallel? _parallel;

    public TrainerRanks(ICommunicator? communicator, long bucketBytes)
    {
        Communicator = communicator ?? new SingleProcessCommunicator();
        if (Communicator.Size > 1) _parallel = new DataParallel(Communicator, GradientReduction.Sum, bucketBytes);
    }

    public ICommunicator Communicator { get; }

    public bool IsRoot => Communicator.Rank == 0;

    public bool Distributed => _parallel is not null;

    /// <summary>Rank 0's weights everywhere, checked by checksum; before the optimizer and the bf16 copy exist.</summary>
    public void ShareWeights(LlamaForCausalLM model)
    {
        if (_parallel is null) return;
        _parallel.BroadcastParameters(model);
        _parallel.VerifyParametersEqual(model);
    }

    /// <summary>Checks that every rank plans the same number of steps (else a rank would wait forever in a collective).</summary>
    public void CheckSameSteps(long totalSteps, long batchesPerEpoch)
    {
        if (_parallel is null) return;
        Span<double> values = [totalSteps, batchesPerEpoch, -totalSteps, -batchesPerEpoch];
        Communicator.AllReduce(values, ReduceOp.Max);
        if (values[0] != -values[2] || values[1] != -values[3])
            throw new TrainingException($"rank {Communicator.Rank}/{Communicator.Size}: the ranks disagree on the run length " +
                $"(total steps from {-values[2]} to {values[0]}, batches per epoch from {-values[3]} to {values[1]}): " +
                "every rank's batch source must have the same number of batches.");
    }

    /// <summary>The units and tokens of the whole global batch (one all-reduce).</summary>
    public (long Units, long Tokens) GlobalCounts(long units, long tokens)
    {
        if (_parallel is null) return (units, tokens);
        Span<double> values = [units, tokens];
        Communicator.AllReduce(values);
        return ((long)values[0], (long)values[1]);
    }

    /// <summary>Sums the gradients of <paramref name="parameters"/> over ranks, in buckets.</summary>
    public void ReduceGradients(IEnumerable<Tensor> parameters) => _parallel?.AllReduceGradients(parameters);

    /// <summary>Sums the step's loss and metric sums over ranks (keys in ordinal order, the same on every rank).</summary>
    public double ReduceLossAndMetrics(double loss, Dictionary<string, double> sums)
    {
        if (_parallel is null) return loss;
        var keys = sums.Keys.Order(StringComparer.Ordinal).ToList();
        var values = new double[keys.Count + 1];
        values[0] = loss;
        for (int i = 0; i < keys.Count; i++) values[i + 1] = sums[keys[i]];
        Communicator.AllReduce(values.AsSpan());
        for (int i = 0; i < keys.Count; i++) sums[keys[i]] = values[i + 1];
        return values[0];
    }

    /// <summary>
    /// True on every rank when any rank wants to skip. The reduced gradients, hence the norms, are
    /// already equal everywhere, so this only guards against an MPI whose sums differ in the last bit.
    /// </summary>
    public bool AnyRank(bool flag)
    {
        if (_parallel is null) return flag;
        return Communicator.AllReduceValue(flag ? 1 : 0, ReduceOp.Max) > 0;
    }

    /// <summary>Rank 0's string on every rank (the checkpoint folder that "latest" resolves to).</summary>
    public string FromRoot(string value)
    {
        if (_parallel is null) return value;
        Span<double> length = [IsRoot ? Encoding.UTF8.GetByteCount(value) : 0];
        Communicator.AllReduce(length, ReduceOp.Max);
        var bytes = new byte[(int)length[0]];
        if (IsRoot) Encoding.UTF8.GetBytes(value, bytes);
        Communicator.Broadcast(bytes.AsSpan());
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Checks the replicas are still bit-identical (after a resume).</summary>
    public void VerifyWeights(LlamaForCausalLM model) => _parallel?.VerifyParametersEqual(model);

    /// <summary>Waits for every rank (after rank 0 wrote a checkpoint).</summary>
    public void Barrier()
    {
        if (_parallel is not null) Communicator.Barrier();
    }

    public void Dispose() => _parallel?.Dispose();
}
