namespace Prem.Llm.Cuda.Harness;

/// <summary>float ↔ 16-bit storage, round-to-nearest-even, as the kernels read and write it.</summary>
static class Bits
{
    public static ushort ToBf16(float f)
    {
        var bits = BitConverter.SingleToUInt32Bits(f);
        if (float.IsNaN(f)) return 0x7fc0;
        return (ushort)((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
    }

    public static float FromBf16(ushort b) => BitConverter.UInt32BitsToSingle((uint)b << 16);

    public static ushort ToFp16(float f) => BitConverter.HalfToUInt16Bits((Half)f);

    public static float FromFp16(ushort h) => (float)BitConverter.UInt16BitsToHalf(h);
}
