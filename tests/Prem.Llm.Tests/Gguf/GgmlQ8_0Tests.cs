using System.Buffers.Binary;
using Prem.Llm.Gguf;

namespace Prem.Llm.Tests.Gguf;

public sealed class GgmlQ8_0Tests
{
    [Fact]
    public void Quantize_MatchesGgmlReference_HalvesRoundAwayFromZero()
    {
        // amax 127 → d = 1 exactly, so q = round(x) and the halves show ggml's roundf (away from zero), not banker's rounding.
        var x = new float[32];
        x[0] = 127; x[1] = 2.5f; x[2] = -2.5f; x[3] = 0.5f; x[4] = -0.5f; x[5] = 1.49f; x[6] = -126.6f;
        var y = new byte[34];
        GgmlQ8_0.Quantize(x, y);
        Assert.Equal((Half)1, BinaryPrimitives.ReadHalfLittleEndian(y));
        sbyte[] expected = [127, 3, -3, 1, -1, 1, -127];
        Assert.Equal(expected, y[2..9].Select(b => (sbyte)b).ToArray());
        Assert.All(y[9..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Quantize_ScaleIsAmaxOver127AsFp16_QuantsUseTheFloat32Scale()
    {
        var x = Enumerable.Range(0, 32).Select(i => (i - 16) * 0.1f).ToArray(); // amax = 1.6
        var y = new byte[34];
        GgmlQ8_0.Quantize(x, y);
        float d = 1.6f / 127f;
        Assert.Equal((Half)d, BinaryPrimitives.ReadHalfLittleEndian(y));
        for (int j = 0; j < 32; j++) Assert.Equal((sbyte)MathF.Round(x[j] * (1f / d), MidpointRounding.AwayFromZero), (sbyte)y[2 + j]);
    }

    [Fact]
    public void ZeroBlock_HasZeroScaleAndQuants()
    {
        var y = new byte[34];
        Array.Fill(y, (byte)0xAA);
        GgmlQ8_0.Quantize(new float[32], y);
        Assert.All(y, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Dequantize_IsWithinHalfAStepOfTheInput()
    {
        var random = new Random(3);
        var x = Enumerable.Range(0, 32 * 64).Select(_ => (float)(random.NextDouble() * 4 - 2) * (random.Next(4) + 1)).ToArray();
        var y = new byte[64 * 34];
        GgmlQ8_0.Quantize(x, y);
        var back = new float[x.Length];
        GgmlQ8_0.Dequantize(y, back);
        for (int b = 0; b < 64; b++)
        {
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(y.AsSpan(b * 34));
            for (int j = 0; j < 32; j++) Assert.True(Math.Abs(back[b * 32 + j] - x[b * 32 + j]) <= d * 0.5f + 1e-3f * Math.Abs(x[b * 32 + j]));
        }
    }

    [Fact]
    public void Quantize_RefusesAPartialBlock() =>
        Assert.Throws<ArgumentException>(() => GgmlQ8_0.Quantize(new float[31], new byte[34]));
}
