using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// Keys and values for the CPU engine, float32, preallocated: per layer, per slot (one sequence each),
/// per KV head, <see cref="Capacity"/> positions of head_dim floats. Slots are independent, so a
/// sequence can take a free slot and start at position 0 while others continue.
/// </summary>
internal sealed unsafe class CpuKvCache
{
    readonly float[] _keys;
    readonly float[] _values;

    /// <summary>Allocates <paramref name="slots"/> sequences of up to <paramref name="capacity"/> positions.</summary>
    public CpuKvCache(int layers, int slots, int capacity, int kvHeads, int headDim)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Layers = layers;
        Slots = slots;
        Capacity = capacity;
        KvHeads = kvHeads;
        HeadDim = headDim;
        long size = (long)layers * slots * kvHeads * capacity * headDim;
        if (size > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"a cache of {slots} slots × {capacity} positions needs {size} floats per tensor, more than one array holds.");
        _keys = GC.AllocateUninitializedArray<float>((int)size, pinned: true);
        _values = GC.AllocateUninitializedArray<float>((int)size, pinned: true);
    }

    /// <summary>Decoder layers.</summary>
    public int Layers { get; }

    /// <summary>Sequences the cache holds at once.</summary>
    public int Slots { get; }

    /// <summary>Positions per sequence.</summary>
    public int Capacity { get; }

    /// <summary>KV heads per layer.</summary>
    public int KvHeads { get; }

    /// <summary>Floats per head.</summary>
    public int HeadDim { get; }

    /// <summary>Bytes held (keys and values).</summary>
    public long Bytes => 2L * _keys.LongLength * sizeof(float);

    /// <summary>Position 0 of the keys of (<paramref name="layer"/>, <paramref name="slot"/>, <paramref name="kvHead"/>); positions are head_dim apart.</summary>
    public float* Keys(int layer, int slot, int kvHead) => Base(_keys) + Offset(layer, slot, kvHead);

    /// <summary>Position 0 of the values of (<paramref name="layer"/>, <paramref name="slot"/>, <paramref name="kvHead"/>).</summary>
    public float* Values(int layer, int slot, int kvHead) => Base(_values) + Offset(layer, slot, kvHead);

    long Offset(int layer, int slot, int kvHead) => (((long)layer * Slots + slot) * KvHeads + kvHead) * Capacity * HeadDim;

    static float* Base(float[] array) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
}
