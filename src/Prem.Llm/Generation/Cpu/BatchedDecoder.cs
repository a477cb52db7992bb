namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// Continuous batching on the CPU engine: up to <see cref="MaxRows"/> sequences of different lengths,
/// each in its own KV-cache slot with its own position. A sequence joins (its prompt is prefilled into a
/// free slot), advances one token per <see cref="Step"/> together with the others, and leaves, freeing
/// the slot for the next. One step reads the weights once for all rows, which is what makes batching pay.
/// </summary>
internal sealed class BatchedDecoder
{
    readonly CpuLlama _engine;
    readonly CpuKvCache _cache;
    readonly int[] _lengths;
    readonly bool[] _active;
    readonly int[] _positions;

    /// <summary>A decoder for <paramref name="maxRows"/> sequences of up to <paramref name="capacity"/> tokens each.</summary>
    public BatchedDecoder(CpuLlama engine, int maxRows, int capacity)
    {
        _engine = engine;
        _cache = engine.CreateCache(maxRows, capacity);
        _lengths = new int[maxRows];
        _active = new bool[maxRows];
        _positions = new int[maxRows];
    }

    /// <summary>Sequences held at once.</summary>
    public int MaxRows => _cache.Slots;

    /// <summary>Tokens per sequence.</summary>
    public int Capacity => _cache.Capacity;

    /// <summary>Sequences currently joined.</summary>
    public int ActiveRows => _active.Count(a => a);

    /// <summary>Tokens in sequence <paramref name="slot"/> so far.</summary>
    public int Length(int slot) => _active[slot] ? _lengths[slot] : throw new ArgumentException($"Slot {slot} is free.", nameof(slot));

    /// <summary>
    /// Takes a free slot for <paramref name="prompt"/>, runs the prompt and writes its last token's logits
    /// [vocab] to <paramref name="logits"/>; returns the slot.
    /// </summary>
    public int Join(ReadOnlySpan<int> prompt, Span<float> logits)
    {
        int slot = Array.IndexOf(_active, false);
        if (slot < 0) throw new InvalidOperationException($"All {MaxRows} rows are taken; a sequence must leave first.");
        if (prompt.Length > Capacity) throw new ArgumentException($"The prompt has {prompt.Length} tokens; rows hold {Capacity}.", nameof(prompt));
        _engine.Prefill(prompt, slot, 0, _cache, logits);
        _active[slot] = true;
        _lengths[slot] = prompt.Length;
        return slot;
    }

    /// <summary>Frees <paramref name="slot"/>; its cached positions are overwritten by the next sequence.</summary>
    public void Leave(int slot)
    {
        if (!_active[slot]) throw new ArgumentException($"Slot {slot} is already free.", nameof(slot));
        _active[slot] = false;
    }

    /// <summary>
    /// Appends <paramref name="tokens"/>[i] to sequence <paramref name="slots"/>[i] (each at its own next
    /// position) and writes the next-token logits [slots.Length, vocab]. No allocation.
    /// </summary>
    public void Step(ReadOnlySpan<int> slots, ReadOnlySpan<int> tokens, Span<float> logits)
    {
        if (slots.Length != tokens.Length) throw new ArgumentException("slots and tokens differ in length.", nameof(tokens));
        if (slots.Length > MaxRows) throw new ArgumentException($"At most {MaxRows} rows per step.", nameof(slots));
        for (int i = 0; i < slots.Length; i++)
        {
            int slot = slots[i];
            if ((uint)slot >= (uint)MaxRows || !_active[slot]) throw new ArgumentException($"Slot {slot} is not an active row.", nameof(slots));
            for (int j = 0; j < i; j++)
                if (slots[j] == slot) throw new ArgumentException($"Slot {slot} appears twice in one step.", nameof(slots));
            _positions[i] = _lengths[slot];
        }
        _engine.Step(tokens, slots, _positions.AsSpan(0, slots.Length), _cache, logits);
        for (int i = 0; i < slots.Length; i++) _lengths[slots[i]]++;
    }
}
