using static TorchSharp.torch;

namespace Prem.Llm.Checkpoints;

/// <summary>
/// Exposes a contiguous CPU tensor's storage as byte spans. TorchSharp's <c>Tensor.bytes</c> is one
/// span, so it cannot cover more than 2 GiB (a Llama-3 embedding in float32 is 2.1 GB); larger
/// tensors are walked as 1-D slices, each a view into the same storage.
/// </summary>
internal static class TensorBytes
{
    /// <summary>The largest span handed out at once (1 GiB).</summary>
    public const int DefaultChunkBytes = 1 << 30;

    /// <summary>Receives one span of the tensor's storage and its byte offset within the tensor.</summary>
    public delegate void ChunkAction(Span<byte> chunk, long offset);

    /// <summary>
    /// Calls <paramref name="action"/> on consecutive spans covering the first <paramref name="byteLength"/>
    /// bytes (the whole storage) of <paramref name="tensor"/>, which must be contiguous and on the CPU.
    /// </summary>
    public static void ForEachChunk(Tensor tensor, long byteLength, ChunkAction action, int chunkBytes = DefaultChunkBytes)
    {
        if (byteLength == 0)
        {
            return;
        }
        if (tensor.device_type != TorchSharp.DeviceType.CPU || !tensor.is_contiguous())
        {
            throw new ArgumentException("The tensor must be contiguous and on the CPU.", nameof(tensor));
        }
        if (byteLength <= chunkBytes)
        {
            action(tensor.bytes, 0);
            return;
        }
        var elementSize = byteLength / tensor.numel();
        var perChunk = Math.Max(1, chunkBytes / elementSize);
        using var flat = tensor.reshape(-1);
        for (long start = 0; start < flat.shape[0]; start += perChunk)
        {
            using var part = flat.narrow(0, start, Math.Min(perChunk, flat.shape[0] - start));
            action(part.bytes, start * elementSize);
        }
    }
}
