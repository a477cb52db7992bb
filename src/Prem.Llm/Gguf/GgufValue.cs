namespace Prem.Llm.Gguf;

/// <summary>
/// One metadata value of a GGUF file: a scalar (boxed <c>byte</c>, <c>sbyte</c>, <c>ushort</c>, <c>short</c>,
/// <c>uint</c>, <c>int</c>, <c>float</c>, <c>bool</c>, <c>string</c>, <c>ulong</c>, <c>long</c>, <c>double</c>)
/// or, when <see cref="Type"/> is Array, a typed .NET array of <see cref="ElementType"/>.
/// </summary>
internal sealed record GgufValue(GgufValueType Type, object Value, GgufValueType ElementType = GgufValueType.UInt8);
