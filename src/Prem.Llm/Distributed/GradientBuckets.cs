using static TorchSharp.torch;

namespace Prem.Llm.Distributed;

/// <summary>
/// Packs gradients into one flat buffer per device, all-reduces it, and unpacks: one collective per
/// bucket instead of one per tensor (a 4-layer model has ~40 parameters; per-call latency would
/// dominate). CPU buckets are float32, whatever the gradient dtype, so bf16 gradients are summed in
/// float32 and rounded once.
/// </summary>
internal sealed class GradientBuckets : IDisposable
{
    private readonly ICommunicator _communicator;
    private readonly long _capacity;
    private readonly Dictionary<string, Tensor> _buffers = [];

    public GradientBuckets(ICommunicator communicator, long capacityElements)
    {
        _communicator = communicator;
        _capacity = Math.Max(1, capacityElements);
    }

    /// <summary>All-reduce calls made by the last <see cref="Reduce"/>.</summary>
    public int LastCount { get; private set; }

    /// <summary>Sums <paramref name="grads"/> over ranks in order, then multiplies by <paramref name="scale"/>.</summary>
    public void Reduce(IReadOnlyList<Tensor> grads, double scale)
    {
        using var noGrad = no_grad();
        LastCount = 0;
        var pending = new List<Tensor>();
        long filled = 0;
        Tensor? bucket = null;
        foreach (var grad in grads)
        {
            long n = grad.numel();
            var buffer = Buffer(grad.device);
            if (bucket is not null && (!ReferenceEquals(buffer, bucket) || filled + n > _capacity))
            {
                Flush(bucket, pending, filled, scale);
                filled = 0;
            }
            bucket = buffer;
            if (n > _capacity)
            {
                // A tensor larger than a bucket goes alone, reduced in a float32 copy of its own.
                using var scope = NewDisposeScope();
                var whole = grad.to(ScalarType.Float32).contiguous();
                ReduceFlat(whole, scale);
                if (whole.Handle != grad.Handle) grad.copy_(whole);
                continue;
            }
            using (NewDisposeScope()) buffer.narrow(0, filled, n).copy_(grad.reshape(-1));
            pending.Add(grad);
            filled += n;
        }
        if (bucket is not null) Flush(bucket, pending, filled, scale);
    }

    private void Flush(Tensor bucket, List<Tensor> pending, long filled, double scale)
    {
        if (pending.Count == 0) return;
        using var scope = NewDisposeScope();
        ReduceFlat(bucket.narrow(0, 0, filled), scale);
        long offset = 0;
        foreach (var grad in pending)
        {
            long n = grad.numel();
            grad.copy_(bucket.narrow(0, offset, n).view(grad.shape));
            offset += n;
        }
        pending.Clear();
    }

    private void ReduceFlat(Tensor flat, double scale)
    {
        _communicator.AllReduce(flat, ReduceOp.Sum);
        if (scale != 1.0) flat.mul_(scale);
        LastCount++;
    }

    private Tensor Buffer(Device device)
    {
        string key = device.ToString();
        if (!_buffers.TryGetValue(key, out var buffer))
        {
            // Kept across steps, so it must not belong to the caller's dispose scope.
            buffer = zeros(_capacity, ScalarType.Float32, device).DetachFromDisposeScope();
            _buffers[key] = buffer;
        }
        return buffer;
    }

    public void Dispose()
    {
        foreach (var buffer in _buffers.Values) buffer.Dispose();
        _buffers.Clear();
    }
}
