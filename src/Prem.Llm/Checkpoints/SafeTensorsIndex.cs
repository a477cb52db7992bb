using System.Text.Json;

namespace Prem.Llm.Checkpoints;

/// <summary>
/// A sharded checkpoint's <c>model.safetensors.index.json</c>:
/// <c>{"metadata": {"total_size": N}, "weight_map": {"tensor name": "model-00001-of-00002.safetensors", …}}</c>.
/// Reading is hardened like <see cref="SafeTensorsFile"/>: size limit, duplicate keys refused, and
/// shard names must be plain file names, so an index cannot point outside its folder.
/// </summary>
internal sealed class SafeTensorsIndex
{
    /// <summary>The index file name HuggingFace uses.</summary>
    public const string FileName = "model.safetensors.index.json";

    /// <summary>The largest index accepted, in bytes.</summary>
    public const long MaxIndexBytes = 100_000_000;

    /// <summary>Creates an index.</summary>
    /// <param name="totalSize">Total bytes of tensor data over all shards.</param>
    /// <param name="weightMap">Tensor name → shard file name.</param>
    public SafeTensorsIndex(long totalSize, IReadOnlyDictionary<string, string> weightMap)
    {
        TotalSize = totalSize;
        WeightMap = weightMap;
    }

    /// <summary><c>metadata.total_size</c>: bytes of tensor data over all shards (-1 when the index omits it).</summary>
    public long TotalSize { get; }

    /// <summary>Tensor name → shard file name (a plain file name in the index's folder).</summary>
    public IReadOnlyDictionary<string, string> WeightMap { get; }

    /// <summary>Reads and validates an index file.</summary>
    /// <exception cref="SafeTensorsFormatException">The index is malformed or names an unsafe shard path.</exception>
    public static SafeTensorsIndex Read(string path)
    {
        var length = new FileInfo(path).Length;
        if (length > MaxIndexBytes)
        {
            throw new SafeTensorsFormatException(path, null, $"the index is {length} bytes, over the {MaxIndexBytes}-byte limit.");
        }
        var bytes = File.ReadAllBytes(path);
        long totalSize = -1;
        Dictionary<string, string>? weightMap = null;
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = 16 });
        string? current = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new SafeTensorsFormatException(path, null, "the index is not a JSON object.");
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                if (!seen.Add(key))
                {
                    throw new SafeTensorsFormatException(path, null, $"the key '{SafeTensorsFormatException.Shorten(key)}' appears twice.");
                }
                reader.Read();
                if (key == "weight_map")
                {
                    weightMap = ReadWeightMap(ref reader, path, ref current);
                }
                else if (key == "metadata" && reader.TokenType == JsonTokenType.StartObject)
                {
                    totalSize = ReadTotalSize(ref reader, path);
                }
                else
                {
                    // Other keys are for other tools; the complete buffer makes Skip safe.
                    reader.Skip();
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw new SafeTensorsFormatException(path, null, "the index has content after its JSON object.");
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new SafeTensorsFormatException(path, current, $"the index is not valid JSON near byte {reader.BytesConsumed}: {e.Message}", e);
        }
        if (weightMap is null || weightMap.Count == 0)
        {
            throw new SafeTensorsFormatException(path, null, "the index has no weight_map, or it lists no tensors.");
        }
        return new SafeTensorsIndex(totalSize, weightMap);
    }

    /// <summary>Writes the index as HuggingFace does (indented, keys sorted), atomically.</summary>
    public void Write(string path)
    {
        AtomicFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteStartObject("metadata");
            json.WriteNumber("total_size", TotalSize);
            json.WriteEndObject();
            json.WriteStartObject("weight_map");
            foreach (var (name, file) in WeightMap.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                json.WriteString(name, file);
            }
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }

    /// <summary>
    /// Whether <paramref name="fileName"/> is a plain file name: no folder parts, not "." or "..",
    /// no control characters, and ending in <c>.safetensors</c>.
    /// </summary>
    public static bool IsSafeShardName(string fileName) =>
        fileName.EndsWith(".safetensors", StringComparison.Ordinal)
        && fileName.Length > ".safetensors".Length
        && fileName.IndexOfAny(['/', '\\', ':']) < 0
        && !fileName.Any(char.IsControl)
        && fileName.Trim() == fileName
        && System.IO.Path.GetFileName(fileName) == fileName;

    private static Dictionary<string, string> ReadWeightMap(ref Utf8JsonReader reader, string path, ref string? current)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new SafeTensorsFormatException(path, null, $"weight_map is {reader.TokenType}, not an object.");
        }
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            current = reader.GetString()!;
            if (!reader.Read() || reader.TokenType != JsonTokenType.String)
            {
                throw new SafeTensorsFormatException(path, current, $"its shard is {reader.TokenType}, not a file name string.");
            }
            var file = reader.GetString()!;
            if (!IsSafeShardName(file))
            {
                throw new SafeTensorsFormatException(path, current,
                    $"shard '{SafeTensorsFormatException.Shorten(file)}' is not a plain .safetensors file name in the index's folder.");
            }
            if (!map.TryAdd(current, file))
            {
                throw new SafeTensorsFormatException(path, current, "the tensor appears twice in weight_map.");
            }
        }
        current = null;
        return map;
    }

    private static long ReadTotalSize(ref Utf8JsonReader reader, string path)
    {
        long totalSize = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isTotal = reader.ValueTextEquals("total_size"u8);
            reader.Read();
            if (!isTotal)
            {
                reader.Skip();
                continue;
            }
            // transformers writes an integer; some tools write a float like 1234.0.
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var value) || value < 0 || value > long.MaxValue)
            {
                throw new SafeTensorsFormatException(path, null, "metadata.total_size is not a non-negative number.");
            }
            totalSize = (long)value;
        }
        return totalSize;
    }
}
