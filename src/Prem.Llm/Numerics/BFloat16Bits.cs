using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Prem.Llm.Numerics;

/// <summary>
/// bfloat16 ↔ float32 conversion over spans of raw bf16 bits, vectorised (512-bit where the CPU has
/// it: .NET keeps <see cref="Vector{T}"/> at 256 bits even on AVX-512 machines). Written by hand because
/// .NET 10 has no BFloat16 type and System.Numerics.Tensors converts only to and from Half.
/// float32 → bf16 rounds to nearest even and turns every NaN into the quiet NaN 0x7FC0, as LibTorch does.
/// </summary>
internal static class BFloat16Bits
{
    /// <summary>The bf16 value nearest <paramref name="value"/> (ties to even), as raw bits.</summary>
    public static ushort FromSingle(float value)
    {
        if (float.IsNaN(value)) return 0x7FC0;
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    /// <summary>The float32 equal to the bf16 <paramref name="bits"/>.</summary>
    public static float ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>destination[i] = float32(source[i]).</summary>
    public static void ToSingle(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException("Destination is too short.", nameof(destination));
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var words = MemoryMarshal.Cast<ushort, Vector512<ushort>>(source);
            var floats = MemoryMarshal.Cast<float, Vector512<uint>>(destination);
            for (int k = 0; k < words.Length; k++)
            {
                var (low, high) = Vector512.Widen(words[k]);
                floats[2 * k] = low << 16;
                floats[2 * k + 1] = high << 16;
            }
            i = words.Length * Vector512<ushort>.Count;
        }
        else if (Vector.IsHardwareAccelerated)
        {
            var words = MemoryMarshal.Cast<ushort, Vector<ushort>>(source);
            var floats = MemoryMarshal.Cast<float, Vector<uint>>(destination);
            for (int k = 0; k < words.Length; k++)
            {
                Vector.Widen(words[k], out var low, out var high);
                floats[2 * k] = low << 16;
                floats[2 * k + 1] = high << 16;
            }
            i = words.Length * Vector<ushort>.Count;
        }
        for (; i < source.Length; i++) destination[i] = ToSingle(source[i]);
    }

    /// <summary>destination[i] = bf16(source[i] · scale), rounded to nearest even.</summary>
    public static void FromSingle(ReadOnlySpan<float> source, Span<ushort> destination, float scale = 1f)
    {
        if (destination.Length < source.Length) throw new ArgumentException("Destination is too short.", nameof(destination));
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            int whole = source.Length / Vector512<ushort>.Count * Vector512<ushort>.Count;
            var floats = MemoryMarshal.Cast<float, Vector512<float>>(source[..whole]);
            var words = MemoryMarshal.Cast<ushort, Vector512<ushort>>(destination[..whole]);
            var factor = Vector512.Create(scale);
            for (int k = 0; k < words.Length; k++)
                words[k] = Vector512.Narrow(Round(floats[2 * k] * factor), Round(floats[2 * k + 1] * factor));
            i = whole;
        }
        else if (Vector.IsHardwareAccelerated)
        {
            int whole = source.Length / Vector<ushort>.Count * Vector<ushort>.Count;
            var floats = MemoryMarshal.Cast<float, Vector<float>>(source[..whole]);
            var words = MemoryMarshal.Cast<ushort, Vector<ushort>>(destination[..whole]);
            var factor = new Vector<float>(scale);
            for (int k = 0; k < words.Length; k++)
                words[k] = Vector.Narrow(Round(floats[2 * k] * factor), Round(floats[2 * k + 1] * factor));
            i = whole;
        }
        for (; i < source.Length; i++) destination[i] = FromSingle(source[i] * scale);
    }

    // Each lane's bf16 bits in the low half of a uint: add 0x7FFF plus the lowest kept bit, shift.
    private static Vector512<uint> Round(Vector512<float> value)
    {
        var bits = value.AsUInt32();
        var rounded = (bits + Vector512.Create(0x7FFFu) + ((bits >> 16) & Vector512<uint>.One)) >> 16;
        return Vector512.ConditionalSelect(Vector512.Equals(value, value).AsUInt32(), rounded, Vector512.Create(0x7FC0u));
    }

    private static Vector<uint> Round(Vector<float> value)
    {
        var bits = Vector.AsVectorUInt32(value);
        var rounded = (bits + new Vector<uint>(0x7FFF) + ((bits >> 16) & Vector<uint>.One)) >> 16;
        return Vector.ConditionalSelect(Vector.AsVectorUInt32(Vector.Equals(value, value)), rounded, new Vector<uint>(0x7FC0));
    }
}
