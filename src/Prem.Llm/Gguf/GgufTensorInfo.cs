namespace Prem.Llm.Gguf;

/// <summary>A tensor of a GGUF file: name, ggml dims (innermost first), type, offset in the data section and byte size.</summary>
internal sealed record GgufTensorInfo(string Name, long[] Dims, GgmlType Type, long Offset, long ByteSize)
{
    /// <summary>Number of elements.</summary>
    public long Elements => Dims.Aggregate(1L, (a, d) => a * d);

    /// <summary>The PyTorch shape (dims reversed).</summary>
    public long[] TorchShape => [.. Dims.Reverse()];
}
