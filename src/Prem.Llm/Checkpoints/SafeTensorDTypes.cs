using TorchSharp;

namespace Prem.Llm.Checkpoints;

/// <summary>Conversions between <see cref="SafeTensorDType"/>, header names and TorchSharp scalar types.</summary>
internal static class SafeTensorDTypes
{
    /// <summary>Bytes per element of <paramref name="dtype"/>.</summary>
    public static int ElementSize(this SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.Bool or SafeTensorDType.U8 or SafeTensorDType.I8 => 1,
        SafeTensorDType.I16 or SafeTensorDType.F16 or SafeTensorDType.BF16 => 2,
        SafeTensorDType.I32 or SafeTensorDType.F32 => 4,
        SafeTensorDType.I64 or SafeTensorDType.F64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>The name used in the safetensors header, e.g. <c>"BF16"</c>.</summary>
    public static string HeaderName(this SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.Bool => "BOOL",
        _ => dtype.ToString(),
    };

    /// <summary>Parses a header dtype name (case-sensitive, as the format specifies).</summary>
    /// <returns><c>false</c> for names this library does not support.</returns>
    public static bool TryParseHeaderName(ReadOnlySpan<byte> utf8Name, out SafeTensorDType dtype)
    {
        // Compared as UTF-8 bytes so that parsing an untrusted header allocates no strings.
        dtype = utf8Name switch
        {
            _ when utf8Name.SequenceEqual("BOOL"u8) => SafeTensorDType.Bool,
            _ when utf8Name.SequenceEqual("U8"u8) => SafeTensorDType.U8,
            _ when utf8Name.SequenceEqual("I8"u8) => SafeTensorDType.I8,
            _ when utf8Name.SequenceEqual("I16"u8) => SafeTensorDType.I16,
            _ when utf8Name.SequenceEqual("I32"u8) => SafeTensorDType.I32,
            _ when utf8Name.SequenceEqual("I64"u8) => SafeTensorDType.I64,
            _ when utf8Name.SequenceEqual("F16"u8) => SafeTensorDType.F16,
            _ when utf8Name.SequenceEqual("BF16"u8) => SafeTensorDType.BF16,
            _ when utf8Name.SequenceEqual("F32"u8) => SafeTensorDType.F32,
            _ when utf8Name.SequenceEqual("F64"u8) => SafeTensorDType.F64,
            _ => (SafeTensorDType)(-1),
        };
        return dtype >= 0;
    }

    /// <summary>The TorchSharp scalar type with the same memory layout.</summary>
    public static torch.ScalarType ToScalarType(this SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.Bool => torch.ScalarType.Bool,
        SafeTensorDType.U8 => torch.ScalarType.Byte,
        SafeTensorDType.I8 => torch.ScalarType.Int8,
        SafeTensorDType.I16 => torch.ScalarType.Int16,
        SafeTensorDType.I32 => torch.ScalarType.Int32,
        SafeTensorDType.I64 => torch.ScalarType.Int64,
        SafeTensorDType.F16 => torch.ScalarType.Float16,
        SafeTensorDType.BF16 => torch.ScalarType.BFloat16,
        SafeTensorDType.F32 => torch.ScalarType.Float32,
        SafeTensorDType.F64 => torch.ScalarType.Float64,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>The safetensors dtype for a TorchSharp scalar type.</summary>
    /// <exception cref="ArgumentException">The scalar type (e.g. complex) has no safetensors counterpart here.</exception>
    public static SafeTensorDType FromScalarType(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Bool => SafeTensorDType.Bool,
        torch.ScalarType.Byte => SafeTensorDType.U8,
        torch.ScalarType.Int8 => SafeTensorDType.I8,
        torch.ScalarType.Int16 => SafeTensorDType.I16,
        torch.ScalarType.Int32 => SafeTensorDType.I32,
        torch.ScalarType.Int64 => SafeTensorDType.I64,
        torch.ScalarType.Float16 => SafeTensorDType.F16,
        torch.ScalarType.BFloat16 => SafeTensorDType.BF16,
        torch.ScalarType.Float32 => SafeTensorDType.F32,
        torch.ScalarType.Float64 => SafeTensorDType.F64,
        _ => throw new ArgumentException($"Scalar type {type} cannot be stored in safetensors by this library.", nameof(type)),
    };
}
