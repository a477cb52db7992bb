using System.Text.Json;

namespace Prem.Llm.Checkpoints;

/// <summary>
/// Parses and validates a safetensors JSON header. Written by hand on <see cref="Utf8JsonReader"/>
/// (rather than deserialising into a model) so that every rule of the format is checked where it
/// can name the tensor, duplicate keys are caught (System.Text.Json keeps the last one silently), and
/// nothing is allocated from a length the file claims before that length is checked.
/// </summary>
internal static class SafeTensorsHeader
{
    /// <summary>The reference implementation's limit on the header size (100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>No real checkpoint has more dimensions; a bound keeps hostile shapes cheap.</summary>
    public const int MaxRank = 64;

    /// <summary>
    /// Parses <paramref name="json"/> (the header bytes) of a file whose data section starts at
    /// <paramref name="dataStart"/> and is <paramref name="dataLength"/> bytes long.
    /// </summary>
    /// <returns>The tensors, ordered by data offset, and the metadata.</returns>
    public static (List<SafeTensorInfo> Tensors, Dictionary<string, string> Metadata) Parse(
        string path, ReadOnlySpan<byte> json, long dataStart, long dataLength)
    {
        if (json.Length == 0 || json[0] != (byte)'{')
        {
            throw new SafeTensorsFormatException(path, null, "the header does not start with '{'.");
        }

        var tensors = new List<SafeTensorInfo>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
        string? current = null;
        try
        {
            reader.Read();
            while (Next(ref reader, path, null) == JsonTokenType.PropertyName)
            {
                current = reader.GetString()!;
                if (!names.Add(current))
                {
                    throw new SafeTensorsFormatException(path, current, "the name appears twice in the header.");
                }
                if (current == "__metadata__")
                {
                    ParseMetadata(ref reader, path, metadata);
                }
                else
                {
                    if (current.Length == 0)
                    {
                        throw new SafeTensorsFormatException(path, current, "a tensor name is empty.");
                    }
                    tensors.Add(ParseTensor(ref reader, path, current, dataStart, dataLength));
                }
                current = null;
            }
            // The root object is closed; only whitespace may follow (the reader rejects anything else).
            if (reader.Read())
            {
                throw new SafeTensorsFormatException(path, null, "the header has content after its JSON object.");
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new SafeTensorsFormatException(path, current,
                $"the header is not valid JSON near file byte {reader.BytesConsumed + 8}: {e.Message}", e);
        }

        CheckLayout(path, tensors, dataStart, dataLength);
        return (tensors, metadata);
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader, string path, string? tensor)
    {
        if (!reader.Read())
        {
            throw new SafeTensorsFormatException(path, tensor, "the header JSON ends early.");
        }
        return reader.TokenType;
    }

    private static void ParseMetadata(ref Utf8JsonReader reader, string path, Dictionary<string, string> metadata)
    {
        var token = Next(ref reader, path, "__metadata__");
        if (token == JsonTokenType.Null)
        {
            return;
        }
        if (token != JsonTokenType.StartObject)
        {
            throw new SafeTensorsFormatException(path, "__metadata__", $"expected an object of strings, found {token}.");
        }
        while (Next(ref reader, path, "__metadata__") == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            if (Next(ref reader, path, "__metadata__") != JsonTokenType.String)
            {
                throw new SafeTensorsFormatException(path, "__metadata__",
                    $"the value of '{SafeTensorsFormatException.Shorten(key)}' is {reader.TokenType}, not a string.");
            }
            if (!metadata.TryAdd(key, reader.GetString()!))
            {
                throw new SafeTensorsFormatException(path, "__metadata__",
                    $"the key '{SafeTensorsFormatException.Shorten(key)}' appears twice.");
            }
        }
    }

    private static SafeTensorInfo ParseTensor(ref Utf8JsonReader reader, string path, string name, long dataStart, long dataLength)
    {
        if (Next(ref reader, path, name) != JsonTokenType.StartObject)
        {
            throw new SafeTensorsFormatException(path, name, $"expected an object with dtype, shape and data_offsets, found {reader.TokenType}.");
        }
        SafeTensorDType? dtype = null;
        List<long>? shape = null;
        List<long>? offsets = null;
        while (Next(ref reader, path, name) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("dtype"u8) && dtype is null)
            {
                if (Next(ref reader, path, name) != JsonTokenType.String)
                {
                    throw new SafeTensorsFormatException(path, name, $"dtype is {reader.TokenType}, not a string.");
                }
                // An escaped name ("\u0046\u0033\u0032") means the same as the plain one in JSON.
                var text = reader.ValueIsEscaped ? System.Text.Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
                if (!SafeTensorDTypes.TryParseHeaderName(text, out var parsed))
                {
                    throw new SafeTensorsFormatException(path, name,
                        $"dtype '{SafeTensorsFormatException.Shorten(reader.GetString()!)}' is not supported (BOOL, U8, I8, I16, I32, I64, F16, BF16, F32, F64).");
                }
                dtype = parsed;
            }
            else if (reader.ValueTextEquals("shape"u8) && shape is null)
            {
                shape = ParseIntegers(ref reader, path, name, "shape", MaxRank);
            }
            else if (reader.ValueTextEquals("data_offsets"u8) && offsets is null)
            {
                offsets = ParseIntegers(ref reader, path, name, "data_offsets", 2);
            }
            else
            {
                throw new SafeTensorsFormatException(path, name,
                    $"unexpected or repeated field '{SafeTensorsFormatException.Shorten(reader.GetString()!)}'.");
            }
        }
        if (dtype is null || shape is null || offsets is null)
        {
            throw new SafeTensorsFormatException(path, name, "dtype, shape and data_offsets are all required.");
        }
        if (offsets.Count != 2 || offsets[0] > offsets[1])
        {
            throw new SafeTensorsFormatException(path, name, "data_offsets must be [begin, end] with begin <= end.");
        }
        if (offsets[1] > dataLength)
        {
            throw new SafeTensorsFormatException(path, name,
                $"data_offsets end {offsets[1]} lies beyond the {dataLength}-byte data section (the file is truncated or the offsets are wrong).");
        }

        long bytes;
        try
        {
            bytes = checked(Product(shape) * dtype.Value.ElementSize());
            // A zero-element shape such as [0, 2^62, 4] has a valid (zero) byte count, but its strides
            // do not fit in 64 bits and libtorch refuses to create it (found by the fuzzer).
            _ = checked(StrideProduct(shape) * dtype.Value.ElementSize());
        }
        catch (OverflowException)
        {
            throw new SafeTensorsFormatException(path, name,
                $"shape [{string.Join(", ", shape)}] has more elements (or, ignoring zero dimensions, strides) than fit in 64 bits.");
        }
        if (bytes != offsets[1] - offsets[0])
        {
            throw new SafeTensorsFormatException(path, name,
                $"shape [{string.Join(", ", shape)}] of {dtype.Value.HeaderName()} needs {bytes} bytes but data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]}.");
        }
        return new SafeTensorInfo(name, dtype.Value, shape.ToArray(), dataStart + offsets[0], bytes);
    }

    private static long Product(List<long> shape)
    {
        long product = 1;
        foreach (var d in shape)
        {
            product = checked(product * d);
        }
        return product;
    }

    private static long StrideProduct(List<long> shape)
    {
        long product = 1;
        foreach (var d in shape)
        {
            product = checked(product * Math.Max(d, 1));
        }
        return product;
    }

    private static List<long> ParseIntegers(ref Utf8JsonReader reader, string path, string name, string field, int maxCount)
    {
        if (Next(ref reader, path, name) != JsonTokenType.StartArray)
        {
            throw new SafeTensorsFormatException(path, name, $"{field} is {reader.TokenType}, not an array.");
        }
        var values = new List<long>();
        while (Next(ref reader, path, name) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value) || value < 0)
            {
                throw new SafeTensorsFormatException(path, name,
                    $"{field}[{values.Count}] is not a non-negative 64-bit integer.");
            }
            if (values.Count == maxCount)
            {
                throw new SafeTensorsFormatException(path, name, $"{field} has more than {maxCount} entries.");
            }
            values.Add(value);
        }
        return values;
    }

    /// <summary>
    /// Like the reference implementation, the tensors sorted by offset must tile the data section
    /// exactly: no overlap (two names aliasing one byte range), no gap, nothing left over. A file
    /// that breaks this was not written by a conforming writer, so it is refused rather than guessed at.
    /// </summary>
    private static void CheckLayout(string path, List<SafeTensorInfo> tensors, long dataStart, long dataLength)
    {
        tensors.Sort((a, b) => a.Offset != b.Offset ? a.Offset.CompareTo(b.Offset) : a.Length.CompareTo(b.Length));
        var cursor = dataStart;
        SafeTensorInfo? previous = null;
        foreach (var t in tensors)
        {
            if (t.Offset < cursor)
            {
                throw new SafeTensorsFormatException(path, t.Name,
                    $"its bytes [{t.Offset - dataStart}, {t.Offset - dataStart + t.Length}) overlap tensor '{SafeTensorsFormatException.Shorten(previous!.Name)}'.");
            }
            if (t.Offset > cursor)
            {
                throw new SafeTensorsFormatException(path, t.Name,
                    $"{t.Offset - cursor} bytes before it (at data offset {cursor - dataStart}) belong to no tensor.");
            }
            cursor += t.Length;
            previous = t;
        }
        if (cursor != dataStart + dataLength)
        {
            throw new SafeTensorsFormatException(path, null,
                $"the last {dataStart + dataLength - cursor} bytes of the data section belong to no tensor.");
        }
    }
}
