namespace Prem.Llm.Gguf;

/// <summary>
/// ggml's Q8_0: blocks of 32 values stored as an fp16 scale d then 32 int8 q, value = d·q. Quantisation is
/// ggml's reference (<c>quantize_row_q8_0_ref</c>): d = max|x| / 127, q = round-half-away(x / d) with the
/// float32 d (before its fp16 rounding), so files are bit-identical to llama.cpp's.
/// </summary>
internal static class GgmlQ8_0
{
    /// <summary>Values per block.</summary>
    public const int BlockSize = 32;

    /// <summary>Bytes per block: 2 (fp16 scale) + 32.</summary>
    public const int BlockBytes = 34;

    /// <summary>Quantises <paramref name="values"/> (a multiple of 32) into <paramref name="output"/> (34 bytes per block).</summary>
    public static void Quantize(ReadOnlySpan<float> values, Span<byte> output)
    {
        if (values.Length % BlockSize != 0) throw new ArgumentException($"{values.Length} values is not a whole number of {BlockSize}-blocks.", nameof(values));
        int blocks = values.Length / BlockSize;
        if (output.Length < blocks * BlockBytes) throw new ArgumentException("output too small.", nameof(output));
        for (int b = 0; b < blocks; b++)
        {
            var x = values.Slice(b * BlockSize, BlockSize);
            var y = output.Slice(b * BlockBytes, BlockBytes);
            float amax = 0;
            foreach (float v in x) amax = MathF.Max(amax, MathF.Abs(v));
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            System.Buffers.Binary.BinaryPrimitives.WriteHalfLittleEndian(y, (Half)d);
            for (int j = 0; j < BlockSize; j++)
                y[2 + j] = (byte)(sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero);
        }
    }

    /// <summary>Dequantises whole blocks of <paramref name="input"/> into <paramref name="output"/> (32 values per block).</summary>
    public static void Dequantize(ReadOnlySpan<byte> input, Span<float> output)
    {
        int blocks = output.Length / BlockSize;
        for (int b = 0; b < blocks; b++)
        {
            var x = input.Slice(b * BlockBytes, BlockBytes);
            float d = (float)System.Buffers.Binary.BinaryPrimitives.ReadHalfLittleEndian(x);
            var y = output.Slice(b * BlockSize, BlockSize);
            for (int j = 0; j < BlockSize; j++) y[j] = (sbyte)x[2 + j] * d;
        }
    }
}
