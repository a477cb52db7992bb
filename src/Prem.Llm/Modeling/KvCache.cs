using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Modeling;

/// <summary>
/// Keys and values of the tokens seen so far, per layer, preallocated for <see cref="Capacity"/>
/// positions, plus which of those positions are real tokens (for left-padded batches).
/// </summary>
/// <remarks>
/// The model writes each layer's new keys at <see cref="Length"/> and calls <see cref="Advance"/>
/// once all layers are done. Rows with different prompt lengths are left-padded; the mask keeps the
/// padding out of attention and the positions count only real tokens.
/// </remarks>
public sealed class KvCache : IDisposable
{
    readonly Tensor[] keys;
    readonly Tensor[] values;
    Tensor? realTokens;

    /// <summary>Allocates a cache for <paramref name="batch"/> rows of up to <paramref name="capacity"/> tokens.</summary>
    public KvCache(LlamaConfig config, long batch, long capacity, ScalarType dtype, Device? device = null)
    {
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "must be positive.");
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "must be positive.");
        Batch = batch;
        Capacity = capacity;
        keys = new Tensor[config.NumHiddenLayers];
        values = new Tensor[config.NumHiddenLayers];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = zeros([batch, config.NumKeyValueHeads, capacity, config.HeadDim], dtype, device).DetachFromDisposeScope();
            values[i] = zeros([batch, config.NumKeyValueHeads, capacity, config.HeadDim], dtype, device).DetachFromDisposeScope();
        }
    }

    /// <summary>Rows in the cache.</summary>
    public long Batch { get; }

    /// <summary>Largest number of positions the cache holds.</summary>
    public long Capacity { get; }

    /// <summary>Positions filled so far (including left padding).</summary>
    public long Length { get; private set; }

    /// <summary>True once any step marked a position as padding.</summary>
    public bool HasPadding => realTokens is not null;

    /// <summary>
    /// Stores <paramref name="key"/>/<paramref name="value"/> [batch, kvHeads, steps, headDim] for
    /// <paramref name="layer"/> at the current length and returns all keys and values so far.
    /// </summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor key, Tensor value)
    {
        long steps = key.shape[2];
        if (Length + steps > Capacity)
            throw new InvalidOperationException($"KV cache is full: {Length} + {steps} positions exceed its capacity of {Capacity}.");
        using (no_grad())
        {
            keys[layer].narrow(2, Length, steps).copy_(key);
            values[layer].narrow(2, Length, steps).copy_(value);
        }
        return (keys[layer].narrow(2, 0, Length + steps), values[layer].narrow(2, 0, Length + steps));
    }

    /// <summary>
    /// Records which of the next <paramref name="steps"/> positions are real ([batch, steps], nonzero =
    /// real; null = all real) and returns the mask of every position so far, or null while no position
    /// has been padding.
    /// </summary>
    public Tensor? AppendMask(Tensor? stepMask, long steps)
    {
        if (stepMask is null && realTokens is null) return null;
        var device = keys[0].device;
        if (realTokens is null)
        {
            realTokens = zeros([Batch, Capacity], ScalarType.Bool, device).DetachFromDisposeScope();
            realTokens.narrow(1, 0, Length).fill_(true);
        }
        var slot = realTokens.narrow(1, Length, steps);
        if (stepMask is null) slot.fill_(true);
        else slot.copy_(stepMask.to(device).ne(0));
        return realTokens.narrow(1, 0, Length + steps);
    }

    /// <summary>Marks <paramref name="steps"/> more positions as filled; the model calls it after the last layer.</summary>
    public void Advance(long steps) => Length += steps;

    /// <summary>Forgets every position, keeping the memory.</summary>
    public void Reset()
    {
        Length = 0;
        realTokens?.Dispose();
        realTokens = null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in keys) t.Dispose();
        foreach (var t in values) t.Dispose();
        realTokens?.Dispose();
    }
}
