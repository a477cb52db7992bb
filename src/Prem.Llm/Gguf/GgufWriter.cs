using System.Text;

namespace Prem.Llm.Gguf;

/// <summary>
/// Writes a GGUF v3 file (little-endian) in two steps: first the metadata and every tensor's name, ggml
/// dims and type are declared, which fixes each tensor's offset; then <see cref="WriteHeader"/> writes the
/// header and <see cref="WriteTensor"/> streams the tensors' bytes one at a time, in declaration order,
/// padding each to the alignment as the spec requires (ggml's <c>gguf.h</c>, ggml's <c>docs/gguf.md</c>).
/// </summary>
internal sealed class GgufWriter
{
    /// <summary>"GGUF" read as a little-endian uint32.</summary>
    public const uint Magic = 0x46554747;

    /// <summary>The format version written.</summary>
    public const uint Version = 3;

    /// <summary>The alignment ggml assumes when <c>general.alignment</c> is absent.</summary>
    public const uint DefaultAlignment = 32;

    readonly MemoryStream _kv = new();
    readonly BinaryWriter _kvWriter;
    readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    readonly List<Declared> _tensors = [];
    long _dataSize;
    int _next;
    long _written;

    /// <summary>Creates a writer with <paramref name="alignment"/> (written as <c>general.alignment</c> when not 32).</summary>
    public GgufWriter(uint alignment = DefaultAlignment)
    {
        if (alignment == 0 || (alignment & (alignment - 1)) != 0) throw new ArgumentException("alignment must be a power of two.", nameof(alignment));
        Alignment = alignment;
        _kvWriter = new BinaryWriter(_kv, Encoding.UTF8, leaveOpen: true);
        if (alignment != DefaultAlignment) AddUInt32("general.alignment", alignment);
    }

    /// <summary>The tensor-data alignment in bytes.</summary>
    public uint Alignment { get; }

    /// <summary>Number of metadata pairs declared.</summary>
    public int KeyCount => _keys.Count;

    /// <summary>Bytes of the tensor-data section (after the header's padding), with the last tensor's padding.</summary>
    public long DataSize => Align(_dataSize);

    /// <summary>Adds a string value.</summary>
    public void AddString(string key, string value) { Key(key, GgufValueType.String); WriteString(_kvWriter, value); }

    /// <summary>Adds a uint32 value.</summary>
    public void AddUInt32(string key, uint value) { Key(key, GgufValueType.UInt32); _kvWriter.Write(value); }

    /// <summary>Adds an int32 value.</summary>
    public void AddInt32(string key, int value) { Key(key, GgufValueType.Int32); _kvWriter.Write(value); }

    /// <summary>Adds a float32 value.</summary>
    public void AddFloat32(string key, float value) { Key(key, GgufValueType.Float32); _kvWriter.Write(value); }

    /// <summary>Adds a bool value (one byte, 0 or 1).</summary>
    public void AddBool(string key, bool value) { Key(key, GgufValueType.Bool); _kvWriter.Write((byte)(value ? 1 : 0)); }

    /// <summary>Adds an array of strings.</summary>
    public void AddStringArray(string key, IReadOnlyList<string> values)
    {
        ArrayHeader(key, GgufValueType.String, values.Count);
        foreach (var v in values) WriteString(_kvWriter, v);
    }

    /// <summary>Adds an array of float32.</summary>
    public void AddFloat32Array(string key, IReadOnlyList<float> values)
    {
        ArrayHeader(key, GgufValueType.Float32, values.Count);
        foreach (var v in values) _kvWriter.Write(v);
    }

    /// <summary>Adds an array of int32.</summary>
    public void AddInt32Array(string key, IReadOnlyList<int> values)
    {
        ArrayHeader(key, GgufValueType.Int32, values.Count);
        foreach (var v in values) _kvWriter.Write(v);
    }

    /// <summary>
    /// Declares a tensor: <paramref name="dims"/> in ggml order (innermost first, i.e. a PyTorch shape
    /// reversed). Returns its byte size. Tensors must then be written in the order declared.
    /// </summary>
    public long AddTensor(string name, IReadOnlyList<long> dims, GgmlType type)
    {
        if (_written > 0 || _next > 0) throw new InvalidOperationException("tensors are declared before the header is written.");
        if (dims.Count is < 1 or > 4) throw new ArgumentException($"tensor {name}: ggml tensors have 1 to 4 dims.", nameof(dims));
        if (_tensors.Any(t => t.Name == name)) throw new ArgumentException($"tensor {name} is declared twice.", nameof(name));
        long elements = 1;
        foreach (long d in dims) elements = checked(elements * d);
        var (block, _) = GgmlTypes.Geometry(type);
        if (dims[0] % block != 0) throw new ArgumentException($"tensor {name}: row length {dims[0]} is not a multiple of {type}'s block size {block}.", nameof(dims));
        long bytes = GgmlTypes.ByteSize(type, elements);
        long offset = Align(_dataSize);
        _tensors.Add(new Declared(name, [.. dims], type, offset, bytes));
        _dataSize = offset + bytes;
        return bytes;
    }

    /// <summary>Writes magic, version, counts, metadata and tensor infos, padded to the alignment.</summary>
    public void WriteHeader(Stream stream)
    {
        using var header = new MemoryStream();
        using (var w = new BinaryWriter(header, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write((ulong)_tensors.Count);
            w.Write((ulong)_keys.Count);
            _kvWriter.Flush();
            w.Write(_kv.GetBuffer(), 0, (int)_kv.Length);
            foreach (var t in _tensors)
            {
                WriteString(w, t.Name);
                w.Write((uint)t.Dims.Length);
                foreach (long d in t.Dims) w.Write((ulong)d);
                w.Write((uint)t.Type);
                w.Write((ulong)t.Offset);
            }
            w.Write(new byte[Align(header.Length) - header.Length]);
        }
        stream.Write(header.GetBuffer(), 0, (int)header.Length);
    }

    /// <summary>
    /// Writes the next declared tensor: <paramref name="write"/> receives a sink and must give it exactly the
    /// declared byte count (in any number of spans). Padding before the tensor is added here.
    /// </summary>
    public void WriteTensor(Stream stream, string name, Action<Action<ReadOnlySpan<byte>>> write)
    {
        if (_next >= _tensors.Count) throw new InvalidOperationException($"tensor {name} was not declared.");
        var t = _tensors[_next];
        if (t.Name != name) throw new InvalidOperationException($"tensor {name} written where {t.Name} was declared.");
        if (t.Offset > _written) stream.Write(new byte[t.Offset - _written]);
        long count = 0;
        write(span =>
        {
            stream.Write(span);
            count += span.Length;
        });
        if (count != t.Bytes) throw new InvalidOperationException($"tensor {name}: {count} bytes written, {t.Bytes} declared.");
        _written = t.Offset + t.Bytes;
        _next++;
        // ggml pads after every tensor, the last one too (its reader loads the padded data size).
        if (_next == _tensors.Count && Align(_written) > _written) stream.Write(new byte[Align(_written) - _written]);
    }

    /// <summary>True once every declared tensor has been written.</summary>
    public bool Complete => _next == _tensors.Count;

    long Align(long n) => (n + Alignment - 1) / Alignment * Alignment;

    void Key(string key, GgufValueType type)
    {
        if (!_keys.Add(key)) throw new ArgumentException($"metadata key {key} is set twice.", nameof(key));
        WriteString(_kvWriter, key);
        _kvWriter.Write((uint)type);
    }

    void ArrayHeader(string key, GgufValueType elementType, int count)
    {
        Key(key, GgufValueType.Array);
        _kvWriter.Write((uint)elementType);
        _kvWriter.Write((ulong)count);
    }

    static void WriteString(BinaryWriter w, string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    sealed record Declared(string Name, long[] Dims, GgmlType Type, long Offset, long Bytes);
}
