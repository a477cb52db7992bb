namespace Prem.Llm.Checkpoints;

/// <summary>One tensor's entry in a safetensors header, after validation.</summary>
/// <param name="Name">The tensor's name, e.g. <c>model.layers.0.self_attn.q_proj.weight</c>.</param>
/// <param name="DType">The stored element type.</param>
/// <param name="Shape">The dimensions; empty for a 0-d scalar. Treat as read-only.</param>
/// <param name="Offset">Absolute byte offset of the tensor's data in the file.</param>
/// <param name="Length">Byte length of the data: element count × element size.</param>
public sealed record SafeTensorInfo(string Name, SafeTensorDType DType, long[] Shape, long Offset, long Length)
{
    /// <summary>The number of elements (the product of <see cref="Shape"/>; 1 for a scalar).</summary>
    public long ElementCount => Length / DType.ElementSize();
}
