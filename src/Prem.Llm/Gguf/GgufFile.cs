using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Prem.Llm.Gguf;

/// <summary>
/// An open GGUF file (v2 or v3, little-endian): <see cref="Open"/> reads and checks the header — metadata and
/// tensor infos — and <see cref="ReadFloats"/> reads one tensor, dequantised to float32 (f32, f16, bf16, q8_0).
/// </summary>
/// <remarks>
/// The header comes from an untrusted file, so every count and length is checked against the bytes left in
/// the file before anything is allocated from it; value types, bools, UTF-8, tensor dims (1–4, overflow),
/// types, block multiples, alignment and each tensor's byte range are checked too. Every failure is a
/// <see cref="GgufFormatException"/> naming the file and the key or tensor.
/// </remarks>
internal sealed class GgufFile : IDisposable
{
    static readonly UTF8Encoding _strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    readonly SafeFileHandle _handle;

    GgufFile(string path, SafeFileHandle handle, uint version, Dictionary<string, GgufValue> metadata, List<GgufTensorInfo> tensors, long dataOffset, uint alignment)
    {
        Path = path;
        _handle = handle;
        Version = version;
        Metadata = metadata;
        Tensors = tensors;
        DataOffset = dataOffset;
        Alignment = alignment;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>The format version (2 or 3).</summary>
    public uint Version { get; }

    /// <summary>The metadata, by key.</summary>
    public IReadOnlyDictionary<string, GgufValue> Metadata { get; }

    /// <summary>The tensors, in header order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>File offset of the tensor-data section.</summary>
    public long DataOffset { get; }

    /// <summary>The data alignment (general.alignment, default 32).</summary>
    public uint Alignment { get; }

    /// <summary>Opens <paramref name="path"/> and checks its header.</summary>
    public static GgufFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"GGUF file not found: {path}", path);
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            return Parse(path, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    static GgufFile Parse(string path, SafeFileHandle handle)
    {
        var r = new Reader(handle, path);
        uint magic = r.U32("magic");
        if (magic != GgufWriter.Magic) throw r.Error("magic", $"not a GGUF file (magic 0x{magic:X8}, expected \"GGUF\").");
        uint version = r.U32("version");
        if (version is 2 or 3) { }
        else if (BinaryPrimitives.ReverseEndianness(version) is 2 or 3) throw r.Error("version", "a big-endian GGUF file; only little-endian files are read.");
        else throw r.Error("version", $"version {version} is not supported (2 or 3).");
        ulong tensorCount = r.U64("tensor_count");
        ulong kvCount = r.U64("metadata_kv_count");
        // A key-value pair takes at least 13 bytes (8 key length + 4 type + 1), a tensor info at least 28.
        if (kvCount > (ulong)r.Remaining / 13) throw r.Error("metadata_kv_count", $"{kvCount} pairs cannot fit in the {r.Remaining} bytes left.");
        if (tensorCount > (ulong)r.Remaining / 28) throw r.Error("tensor_count", $"{tensorCount} tensors cannot fit in the {r.Remaining} bytes left.");

        var metadata = new Dictionary<string, GgufValue>(StringComparer.Ordinal);
        for (ulong i = 0; i < kvCount; i++)
        {
            string key = r.String($"metadata[{i}].key");
            if (metadata.ContainsKey(key)) throw r.Error(key, "the key appears twice.");
            uint type = r.U32(key);
            metadata[key] = ReadValue(r, key, type, nested: false);
        }

        uint alignment = GgufWriter.DefaultAlignment;
        if (metadata.TryGetValue("general.alignment", out var a))
        {
            if (a.Type != GgufValueType.UInt32) throw r.Error("general.alignment", $"must be a uint32, not {a.Type}.");
            alignment = (uint)a.Value;
            if (alignment == 0 || (alignment & (alignment - 1)) != 0) throw r.Error("general.alignment", $"{alignment} is not a power of two.");
        }

        var tensors = new List<GgufTensorInfo>((int)tensorCount);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (ulong i = 0; i < tensorCount; i++)
        {
            string name = r.String($"tensor[{i}].name");
            if (Encoding.UTF8.GetByteCount(name) >= 64) throw r.Error(name, "a tensor name must be shorter than 64 bytes (ggml's GGML_MAX_NAME).");
            if (!names.Add(name)) throw r.Error(name, "the tensor name appears twice.");
            uint nDims = r.U32(name);
            if (nDims is < 1 or > 4) throw r.Error(name, $"{nDims} dims; ggml tensors have 1 to 4.");
            var dims = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++)
            {
                ulong n = r.U64(name);
                if (n > long.MaxValue) throw r.Error(name, $"dim {d} = {n} is too large.");
                dims[d] = (long)n;
                if (dims[d] != 0 && elements > long.MaxValue / dims[d]) throw r.Error(name, "the element count overflows.");
                elements *= dims[d];
            }
            uint typeId = r.U32(name);
            if (!GgmlTypes.IsKnown(typeId)) throw r.Error(name, $"unknown ggml type id {typeId}.");
            var type = (GgmlType)typeId;
            var (block, size) = GgmlTypes.Geometry(type);
            if (dims[0] % block != 0) throw r.Error(name, $"row length {dims[0]} is not a multiple of {type}'s block size {block}.");
            if (elements / block > long.MaxValue / size) throw r.Error(name, "the byte size overflows.");
            ulong offset = r.U64(name);
            if (offset % alignment != 0) throw r.Error(name, $"data offset {offset} is not a multiple of the alignment {alignment}.");
            if (offset > long.MaxValue) throw r.Error(name, $"data offset {offset} is too large.");
            tensors.Add(new GgufTensorInfo(name, dims, type, (long)offset, elements / block * size));
        }

        long dataOffset = (r.Position + alignment - 1) / alignment * alignment;
        foreach (var t in tensors)
        {
            if (t.Offset > r.Length - dataOffset || t.ByteSize > r.Length - dataOffset - t.Offset)
                throw r.Error(t.Name, $"its data (offset {t.Offset}, {t.ByteSize} bytes) runs past the end of the file ({r.Length} bytes, data from {dataOffset}).");
        }
        return new GgufFile(path, handle, version, metadata, tensors, dataOffset, alignment);
    }

    static GgufValue ReadValue(Reader r, string key, uint type, bool nested)
    {
        switch ((GgufValueType)type)
        {
            case GgufValueType.UInt8: return new(GgufValueType.UInt8, r.Bytes(1, key)[0]);
            case GgufValueType.Int8: return new(GgufValueType.Int8, (sbyte)r.Bytes(1, key)[0]);
            case GgufValueType.UInt16: return new(GgufValueType.UInt16, BinaryPrimitives.ReadUInt16LittleEndian(r.Bytes(2, key)));
            case GgufValueType.Int16: return new(GgufValueType.Int16, BinaryPrimitives.ReadInt16LittleEndian(r.Bytes(2, key)));
            case GgufValueType.UInt32: return new(GgufValueType.UInt32, r.U32(key));
            case GgufValueType.Int32: return new(GgufValueType.Int32, (int)r.U32(key));
            case GgufValueType.Float32: return new(GgufValueType.Float32, BitConverter.UInt32BitsToSingle(r.U32(key)));
            case GgufValueType.UInt64: return new(GgufValueType.UInt64, r.U64(key));
            case GgufValueType.Int64: return new(GgufValueType.Int64, (long)r.U64(key));
            case GgufValueType.Float64: return new(GgufValueType.Float64, BitConverter.UInt64BitsToDouble(r.U64(key)));
            case GgufValueType.Bool:
                byte b = r.Bytes(1, key)[0];
                if (b > 1) throw r.Error(key, $"bool value {b} is neither 0 nor 1.");
                return new(GgufValueType.Bool, b == 1);
            case GgufValueType.String: return new(GgufValueType.String, r.String(key));
            case GgufValueType.Array when !nested:
            {
                uint elementType = r.U32(key);
                ulong count = r.U64(key);
                int min = (GgufValueType)elementType switch
                {
                    GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
                    GgufValueType.UInt16 or GgufValueType.Int16 => 2,
                    GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
                    GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 or GgufValueType.String => 8,
                    GgufValueType.Array => throw r.Error(key, "arrays of arrays are not supported."),
                    _ => throw r.Error(key, $"unknown array element type {elementType}."),
                };
                if (count > (ulong)(r.Remaining / min)) throw r.Error(key, $"an array of {count} elements cannot fit in the {r.Remaining} bytes left.");
                int n = (int)count;
                Array values = (GgufValueType)elementType switch
                {
                    GgufValueType.String => new string[n],
                    GgufValueType.Float32 => new float[n],
                    GgufValueType.Int32 => new int[n],
                    GgufValueType.UInt32 => new uint[n],
                    GgufValueType.Bool => new bool[n],
                    _ => new object[n],
                };
                for (int i = 0; i < n; i++)
                {
                    var v = ReadValue(r, key, elementType, nested: true).Value;
                    // By element type, not by array pattern: the runtime lets an int[] pass as uint[] and back.
                    switch ((GgufValueType)elementType)
                    {
                        case GgufValueType.String: ((string[])values)[i] = (string)v; break;
                        case GgufValueType.Float32: ((float[])values)[i] = (float)v; break;
                        case GgufValueType.Int32: ((int[])values)[i] = (int)v; break;
                        case GgufValueType.UInt32: ((uint[])values)[i] = (uint)v; break;
                        case GgufValueType.Bool: ((bool[])values)[i] = (bool)v; break;
                        default: ((object[])values)[i] = v; break;
                    }
                }
                return new(GgufValueType.Array, values, (GgufValueType)elementType);
            }
            default:
                throw r.Error(key, $"unknown value type {type}.");
        }
    }

    /// <summary>The tensor named <paramref name="name"/>, or null.</summary>
    public GgufTensorInfo? Find(string name) => Tensors.FirstOrDefault(t => t.Name == name);

    /// <summary>Reads <paramref name="tensor"/> as float32 (f32, f16, bf16, q8_0); other types are refused naming them.</summary>
    public float[] ReadFloats(GgufTensorInfo tensor)
    {
        if (!GgmlTypes.IsSupported(tensor.Type))
            throw new GgufFormatException(Path, tensor.Name, $"type {tensor.Type} cannot be read; supported: F32, F16, BF16, Q8_0 (re-export the model in one of them).");
        if (tensor.Elements > Array.MaxLength) throw new GgufFormatException(Path, tensor.Name, $"{tensor.Elements} elements do not fit in one array.");
        var result = new float[tensor.Elements];
        long position = DataOffset + tensor.Offset;
        if (tensor.Type == GgmlType.F32)
        {
            ReadExactly(MemoryMarshal.AsBytes(result.AsSpan()), position, tensor.Name);
            return result;
        }
        var (block, size) = GgmlTypes.Geometry(tensor.Type);
        int blocksPerChunk = (int)Math.Min(Math.Max(1, (1 << 20) / size), tensor.Elements / block);
        var buffer = new byte[Math.Max(blocksPerChunk, 1) * size];
        for (long first = 0; first < tensor.Elements / block; first += blocksPerChunk)
        {
            int blocks = (int)Math.Min(blocksPerChunk, tensor.Elements / block - first);
            var bytes = buffer.AsSpan(0, blocks * size);
            ReadExactly(bytes, position + first * size, tensor.Name);
            var output = result.AsSpan((int)(first * block), blocks * block);
            switch (tensor.Type)
            {
                case GgmlType.F16:
                    for (int i = 0; i < output.Length; i++) output[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]);
                    break;
                case GgmlType.BF16:
                    for (int i = 0; i < output.Length; i++) output[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16);
                    break;
                default:
                    GgmlQ8_0.Dequantize(bytes, output);
                    break;
            }
        }
        return result;
    }

    void ReadExactly(Span<byte> buffer, long offset, string tensor)
    {
        while (buffer.Length > 0)
        {
            int n = RandomAccess.Read(_handle, buffer, offset);
            if (n == 0) throw new GgufFormatException(Path, tensor, $"the file ends at byte {offset}, inside the tensor's data.");
            buffer = buffer[n..];
            offset += n;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _handle.Dispose();

    // Sequential reads of the header through a small buffer, with the bytes left always known.
    sealed class Reader(SafeFileHandle handle, string path)
    {
        readonly byte[] _buffer = new byte[1 << 16];
        int _start, _end;
        long _bufferPosition;

        public long Length { get; } = RandomAccess.GetLength(handle);

        public long Position => _bufferPosition + _start;

        public long Remaining => Length - Position;

        public GgufFormatException Error(string field, string problem) => new(path, field, problem);

        public uint U32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4, field));

        public ulong U64(string field) => BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8, field));

        public string String(string field)
        {
            ulong length = U64(field);
            if (length > (ulong)Remaining) throw Error(field, $"a string of {length} bytes runs past the end of the file ({Remaining} bytes left).");
            byte[] bytes = new byte[length];
            Fill(bytes, field);
            try
            {
                return _strictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw Error(field, "a string is not valid UTF-8.");
            }
        }

        public ReadOnlySpan<byte> Bytes(int count, string field)
        {
            if (_end - _start < count)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _bufferPosition += _start;
                _end -= _start;
                _start = 0;
                while (_end < count)
                {
                    int n = RandomAccess.Read(handle, _buffer.AsSpan(_end), _bufferPosition + _end);
                    if (n == 0) throw Error(field, $"the file ends at byte {_bufferPosition + _end}, inside the header (truncated file?).");
                    _end += n;
                }
            }
            var span = _buffer.AsSpan(_start, count);
            _start += count;
            return span;
        }

        void Fill(Span<byte> target, string field)
        {
            while (target.Length > 0)
            {
                int n = Math.Min(target.Length, _buffer.Length);
                Bytes(n, field).CopyTo(target);
                target = target[n..];
            }
        }
    }
}
