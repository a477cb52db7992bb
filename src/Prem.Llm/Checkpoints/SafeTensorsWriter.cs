using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Checkpoints;

/// <summary>
/// Writes <c>.safetensors</c> files that the reference implementation and HuggingFace load. Tensors
/// are streamed one at a time (each as a contiguous CPU copy only when it is not one already), and
/// the file appears atomically: a reader never sees a half-written checkpoint.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>The metadata written when none is given; transformers expects <c>format</c> = <c>pt</c>.</summary>
    public static IReadOnlyDictionary<string, string> DefaultMetadata { get; } =
        new Dictionary<string, string> { ["format"] = "pt" };

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/>. Tensors are laid out by element size
    /// (largest first), then by name, so every tensor is aligned to its element size in the file, as
    /// the reference writer does; the header is padded with spaces to a multiple of 8 bytes.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="tensors">Name → tensor, on any device, in any layout. Names must be unique and non-empty.</param>
    /// <param name="metadata">The header's <c>__metadata__</c>; <see cref="DefaultMetadata"/> when <c>null</c>.</param>
    /// <param name="dtype">When given, floating-point tensors are stored in this type (e.g. BFloat16);
    /// integer and boolean tensors keep theirs.</param>
    /// <exception cref="ArgumentException">A name is empty, repeated or <c>__metadata__</c>, or a dtype is unsupported.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null, ScalarType? dtype = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = Plan(tensors, dtype);
        var header = Header(entries, metadata ?? DefaultMetadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
            stream.Write(prefix);
            stream.Write(header);
            foreach (var e in entries)
            {
                WriteData(stream, e);
            }
        });
    }

    /// <summary>The number of bytes <paramref name="tensor"/> takes in a file when stored as <paramref name="dtype"/>.</summary>
    internal static long StoredBytes(Tensor tensor, ScalarType? dtype) =>
        checked(tensor.numel() * StoredDType(tensor, dtype).ElementSize());

    private static SafeTensorDType StoredDType(Tensor tensor, ScalarType? dtype) =>
        SafeTensorDTypes.FromScalarType(dtype is { } d && tensor.is_floating_point() ? d : tensor.dtype);

    private sealed record Entry(string Name, Tensor Tensor, SafeTensorDType DType, long Begin, long End);

    private static List<Entry> Plan(IEnumerable<KeyValuePair<string, Tensor>> tensors, ScalarType? dtype)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var pending = new List<(string Name, Tensor Tensor, SafeTensorDType DType)>();
        foreach (var (name, tensor) in tensors)
        {
            ArgumentNullException.ThrowIfNull(tensor, name);
            if (string.IsNullOrEmpty(name) || name == "__metadata__")
            {
                throw new ArgumentException($"'{name}' cannot be a tensor name in a safetensors file.", nameof(tensors));
            }
            if (!names.Add(name))
            {
                throw new ArgumentException($"Tensor name '{name}' appears twice.", nameof(tensors));
            }
            pending.Add((name, tensor, StoredDType(tensor, dtype)));
        }
        pending.Sort((a, b) =>
        {
            var bySize = b.DType.ElementSize().CompareTo(a.DType.ElementSize());
            return bySize != 0 ? bySize : string.CompareOrdinal(a.Name, b.Name);
        });
        var entries = new List<Entry>(pending.Count);
        long offset = 0;
        foreach (var (name, tensor, dt) in pending)
        {
            var end = checked(offset + tensor.numel() * dt.ElementSize());
            entries.Add(new Entry(name, tensor, dt, offset, end));
            offset = end;
        }
        return entries;
    }

    private static byte[] Header(List<Entry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var (key, value) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                json.WriteString(key, value);
            }
            json.WriteEndObject();
            foreach (var e in entries)
            {
                json.WriteStartObject(e.Name);
                json.WriteString("dtype", e.DType.HeaderName());
                json.WriteStartArray("shape");
                foreach (var d in e.Tensor.shape)
                {
                    json.WriteNumberValue(d);
                }
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(e.Begin);
                json.WriteNumberValue(e.End);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // Pad with spaces (valid JSON whitespace) so the data section starts 8-byte aligned.
        var padded = (buffer.WrittenCount + 7) / 8 * 8;
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void WriteData(FileStream stream, Entry e)
    {
        if (e.End == e.Begin)
        {
            return;
        }
        // The scope disposes only the copies made here; the caller's tensor was created outside it.
        using var scope = torch.NewDisposeScope();
        var t = e.Tensor.detach();
        if (t.device_type != DeviceType.CPU)
        {
            t = t.cpu();
        }
        if (t.dtype != e.DType.ToScalarType())
        {
            t = t.to_type(e.DType.ToScalarType());
        }
        if (!t.is_contiguous())
        {
            t = t.contiguous();
        }
        TensorBytes.ForEachChunk(t, e.End - e.Begin, (chunk, _) => stream.Write(chunk));
    }
}
