using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// Pinned arrays whose data the native kernels read with aligned 512-bit loads: a pinned array never moves,
/// so its first 64-byte boundary, found once, stays valid for the array's life (the GC aligns less).
/// </summary>
internal static unsafe class AlignedPinned
{
    /// <summary>A pinned array with room for <paramref name="count"/> elements from <paramref name="start"/>, a 64-byte boundary inside it.</summary>
    public static T[] Allocate<T>(long count, out T* start) where T : unmanaged
    {
        var array = GC.AllocateArray<T>(checked((int)(count + 64 / sizeof(T) - 1)), pinned: true);
        var first = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        start = (T*)((first + 63) & ~(nint)63);
        return array;
    }
}
