using Prem.Llm.Numerics;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Numerics;

/// <summary>Conversions checked against LibTorch's own float32 ↔ bfloat16 casts.</summary>
public class BFloat16BitsTests
{
    // Ties in both directions, the largest finite values, subnormals, signed zeros, infinities, NaNs.
    static readonly uint[] _specialBits =
    [
        0x3F808000, 0x3F818000, 0xBF808000, 0xBF818000, 0x7F7FFFFF, 0x7F7F7FFF, 0xFF7FFFFF, 0x00000001,
        0x00008000, 0x00018000, 0x807FFFFF, 0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000,
        0x7F800001, 0xFFFFFFFF, 0x7F80FFFF, 0x3F800001, 0x3F807FFF,
    ];

    static float[] Inputs(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = i < _specialBits.Length
                ? BitConverter.UInt32BitsToSingle(_specialBits[i])
                : BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32));
        return values;
    }

    static ushort[] TorchBits(float[] values)
    {
        using var scope = NewDisposeScope();
        var bf16 = tensor(values).to_type(ScalarType.BFloat16);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(bf16.bytes).ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(21)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(64)]
    [InlineData(1000)]
    [InlineData(100_003)]
    public void Float32_to_bf16_rounds_like_LibTorch(int count)
    {
        var values = Inputs(count, count);
        var expected = TorchBits(values);
        var actual = new ushort[count];
        BFloat16Bits.FromSingle(values, actual);
        for (int i = 0; i < count; i++)
        {
            bool nan = float.IsNaN(values[i]);
            // LibTorch keeps a NaN's sign and payload bits; ours is the canonical quiet NaN. Both are NaN.
            if (nan) Assert.Equal(0x7FC0, actual[i]);
            else Assert.True(expected[i] == actual[i], $"index {i}: {values[i]:R} (0x{BitConverter.SingleToUInt32Bits(values[i]):X8}) → 0x{actual[i]:X4}, LibTorch 0x{expected[i]:X4}");
            Assert.Equal(actual[i], BFloat16Bits.FromSingle(values[i]));
        }
    }

    [Fact]
    public void Scale_is_applied_before_rounding()
    {
        var values = Inputs(1000, 3).Select(v => float.IsFinite(v) ? v : 1f).ToArray();
        var scaled = values.Select(v => v * 0.37f).ToArray();
        var expected = TorchBits(scaled);
        var actual = new ushort[values.Length];
        BFloat16Bits.FromSingle(values, actual, 0.37f);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(33)]
    [InlineData(1000)]
    public void Bf16_to_float32_is_exact(int count)
    {
        var random = new Random(count);
        var bits = Enumerable.Range(0, count).Select(_ => (ushort)random.Next(0, 1 << 16)).ToArray();
        using var scope = NewDisposeScope();
        var bf16 = empty(count, ScalarType.BFloat16);
        bf16.bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(bits.AsSpan());
        var expected = bf16.to_type(ScalarType.Float32).data<float>().ToArray();
        var actual = new float[count];
        BFloat16Bits.ToSingle(bits, actual);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(BitConverter.SingleToUInt32Bits(expected[i]), BitConverter.SingleToUInt32Bits(actual[i]));
            Assert.Equal(BitConverter.SingleToUInt32Bits(actual[i]), BitConverter.SingleToUInt32Bits(BFloat16Bits.ToSingle(bits[i])));
        }
    }

    [Fact]
    public void Short_destinations_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => BFloat16Bits.FromSingle(new float[4], new ushort[3]));
        Assert.Throws<ArgumentException>(() => BFloat16Bits.ToSingle(new ushort[4], new float[3]));
    }
}
