namespace Prem.Llm.Checkpoints;

/// <summary>
/// The element types this library reads and writes, named as in the safetensors header
/// (<c>"F32"</c>, <c>"BF16"</c>, …). Other safetensors dtypes (e.g. <c>F8_E4M3</c>, <c>U16</c>)
/// have no TorchSharp counterpart and are rejected with <see cref="SafeTensorsFormatException"/>.
/// </summary>
public enum SafeTensorDType
{
    /// <summary>Boolean, one byte per element (0 or 1); header name <c>BOOL</c>.</summary>
    Bool,

    /// <summary>Unsigned 8-bit integer; header name <c>U8</c>.</summary>
    U8,

    /// <summary>Signed 8-bit integer; header name <c>I8</c>.</summary>
    I8,

    /// <summary>Signed 16-bit integer; header name <c>I16</c>.</summary>
    I16,

    /// <summary>Signed 32-bit integer; header name <c>I32</c>.</summary>
    I32,

    /// <summary>Signed 64-bit integer; header name <c>I64</c>.</summary>
    I64,

    /// <summary>IEEE half precision; header name <c>F16</c>.</summary>
    F16,

    /// <summary>bfloat16 (the upper half of a float32); header name <c>BF16</c>.</summary>
    BF16,

    /// <summary>IEEE single precision; header name <c>F32</c>.</summary>
    F32,

    /// <summary>IEEE double precision; header name <c>F64</c>.</summary>
    F64,
}
