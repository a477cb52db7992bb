namespace Prem.Llm.Gguf;

/// <summary>Block geometry of the ggml types (ggml's <c>type_traits</c>: elements per block, bytes per block).</summary>
internal static class GgmlTypes
{
    /// <summary>True for a type id ggml defines today.</summary>
    public static bool IsKnown(uint type) => Enum.IsDefined((GgmlType)type);

    /// <summary>True for the types this library reads and writes (f32, f16, bf16, q8_0).</summary>
    public static bool IsSupported(GgmlType type) => type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 or GgmlType.Q8_0;

    /// <summary>(elements per block, bytes per block) of <paramref name="type"/>.</summary>
    public static (int BlockSize, int TypeSize) Geometry(GgmlType type) => type switch
    {
        GgmlType.F32 => (1, 4),
        GgmlType.F16 => (1, 2),
        GgmlType.BF16 => (1, 2),
        GgmlType.F64 => (1, 8),
        GgmlType.I8 => (1, 1),
        GgmlType.I16 => (1, 2),
        GgmlType.I32 => (1, 4),
        GgmlType.I64 => (1, 8),
        GgmlType.Q4_0 => (32, 18),
        GgmlType.Q4_1 => (32, 20),
        GgmlType.Q5_0 => (32, 22),
        GgmlType.Q5_1 => (32, 24),
        GgmlType.Q8_0 => (32, 34),
        GgmlType.Q8_1 => (32, 36),
        GgmlType.Q2_K => (256, 84),
        GgmlType.Q3_K => (256, 110),
        GgmlType.Q4_K => (256, 144),
        GgmlType.Q5_K => (256, 176),
        GgmlType.Q6_K => (256, 210),
        GgmlType.Q8_K => (256, 292),
        GgmlType.IQ2_XXS => (256, 66),
        GgmlType.IQ2_XS => (256, 74),
        GgmlType.IQ3_XXS => (256, 98),
        GgmlType.IQ1_S => (256, 50),
        GgmlType.IQ4_NL => (32, 18),
        GgmlType.IQ3_S => (256, 110),
        GgmlType.IQ2_S => (256, 82),
        GgmlType.IQ4_XS => (256, 136),
        GgmlType.IQ1_M => (256, 56),
        GgmlType.TQ1_0 => (256, 54),
        GgmlType.TQ2_0 => (256, 66),
        GgmlType.MXFP4 => (32, 17),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown ggml type"),
    };

    /// <summary>Bytes of <paramref name="elements"/> elements (a whole number of blocks) of <paramref name="type"/>.</summary>
    public static long ByteSize(GgmlType type, long elements)
    {
        var (block, size) = Geometry(type);
        return checked(elements / block * size);
    }
}
