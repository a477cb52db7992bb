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
    readonly Tensor[] _keys;
    readonly Tensor[] _values;
    Tensor? _realTokens;

    /// <summary>Allocates a cache for <paramref name="batch"/> rows of up to <paramref name="capacity"/> tokens.</summary>
    public KvCache(LlamaConfig config, long batch, long capacity, ScalarType dtype, Device? device = null)
        : this(config.NumHiddenLayers, batch, capacity, config.NumKeyValueHeads, config.HeadDim, dtype, device) { }

    KvCache(int layers, long batch, long capacity, long kvHeads, long headDim, ScalarType dtype, Device? device)
    {
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "must be positive.");
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "must be positive.");
        Batch = batch;
        Capacity = capacity;
        _keys = new Tensor[layers];
        _values = new Tensor[layers];
        for (int i = 0; i < layers; i++)
        {
            _keys[i] = zeros([batch, kvHeads, capacity, headDim], dtype, device).DetachFromDisposeScope();
            _values[i] = zeros([batch, kvHeads, capacity, headDim], dtype, device).DetachFromDisposeScope();
        }
    }

    /// <summary>Rows in the cache.</summary>
    public long Batch { get; }

    /// <summary>Largest number of positions the cache holds.</summary>
    public long Capacity { get; }

    /// <summary>Positions filled so far (including left padding).</summary>
    public long Length { get; private set; }

    /// <summary>True once any step marked a position as padding.</summary>
    public bool HasPadding => _realTokens is not null;

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
            _keys[layer].narrow(2, Length, steps).copy_(key);
            _values[layer].narrow(2, Length, steps).copy_(value);
        }
        return (_keys[layer].narrow(2, 0, Length + steps), _values[layer].narrow(2, 0, Length + steps));
    }

    /// <summary>
    /// Records which of the next <paramref name="steps"/> positions are real ([batch, steps], nonzero =
    /// real; null = all real) and returns the mask of every position so far, or null while no position
    /// has been padding.
    /// </summary>
    public Tensor? AppendMask(Tensor? stepMask, long steps)
    {
        if (stepMask is null && _realTokens is null) return null;
        var device = _keys[0].device;
        if (_realTokens is null)
        {
            _realTokens = zeros([Batch, Capacity], ScalarType.Bool, device).DetachFromDisposeScope();
            _realTokens.narrow(1, 0, Length).fill_(true);
        }
        var slot = _realTokens.narrow(1, Length, steps);
        if (stepMask is null) slot.fill_(true);
        else slot.copy_(stepMask.to(device).ne(0));
        return _realTokens.narrow(1, 0, Length + steps);
    }

    /// <summary>Marks <paramref name="steps"/> more positions as filled; the model calls it after the last layer.</summary>
    public void Advance(long steps) => Length += steps;

    /// <summary>
    /// A new cache of <paramref name="batch"/> rows and <paramref name="capacity"/> positions that starts
    /// with this cache's positions (a one-row cache is repeated into every row). This cache is unchanged,
    /// so one prefix can be extended many ways.
    /// </summary>
    public KvCache Fork(long batch, long capacity)
    {
        if (Batch != 1 && Batch != batch)
            throw new ArgumentException($"A cache of {Batch} rows can only be forked to {Batch} rows (or from one row to any).", nameof(batch));
        if (capacity < Length)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"must hold the {Length} cached positions.");
        var fork = new KvCache(_keys.Length, batch, capacity, _keys[0].shape[1], _keys[0].shape[3], _keys[0].dtype, _keys[0].device);
        using (no_grad())
        {
            for (int i = 0; i < _keys.Length; i++)
            {
                fork._keys[i].narrow(2, 0, Length).copy_(_keys[i].narrow(2, 0, Length).expand(batch, -1, -1, -1));
                fork._values[i].narrow(2, 0, Length).copy_(_values[i].narrow(2, 0, Length).expand(batch, -1, -1, -1));
            }
            if (_realTokens is not null)
            {
                fork._realTokens = zeros([batch, capacity], ScalarType.Bool, _keys[0].device).DetachFromDisposeScope();
                fork._realTokens.narrow(1, 0, Length).copy_(_realTokens.narrow(1, 0, Length).expand(batch, -1));
            }
        }
        fork.Length = Length;
        return fork;
    }

    /// <summary>Forgets every position, keeping the memory.</summary>
    public void Reset()
    {
        Length = 0;
        _realTokens?.Dispose();
        _realTokens = null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _keys) t.Dispose();
        foreach (var t in _values) t.Dispose();
        _realTokens?.Dispose();
    }
}
