using System.IO.MemoryMappedFiles;

namespace Prem.Llm.Data;

/// <summary>One token file mapped read-only into memory; tokens are copied out as int64.</summary>
internal sealed unsafe class MappedShard : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly TokenDType _dtype;
    private bool _disposed;

    /// <summary>Maps <paramref name="path"/>, which must hold exactly <paramref name="tokens"/> tokens of <paramref name="dtype"/>.</summary>
    /// <exception cref="DataFormatException">The file is missing or its size disagrees.</exception>
    public MappedShard(string path, TokenDType dtype, long tokens)
    {
        if (!File.Exists(path)) throw new DataFormatException("shard file missing", path);
        long expected = tokens * dtype.Size();
        long actual = new FileInfo(path).Length;
        if (actual != expected || actual == 0)
            throw new DataFormatException($"shard has {actual} bytes, manifest says {tokens} tokens ({expected} bytes)", path);
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _base = p + _view.PointerOffset;
        _dtype = dtype;
        Tokens = tokens;
    }

    /// <summary>Tokens in the shard.</summary>
    public long Tokens { get; }

    /// <summary>Copies tokens [<paramref name="start"/>, start + destination.Length) into <paramref name="destination"/>.</summary>
    public void CopyTo(long start, Span<long> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (start < 0 || start + destination.Length > Tokens)
            throw new ArgumentOutOfRangeException(nameof(start), $"tokens [{start}, {start + destination.Length}) outside [0, {Tokens})");
        if (_dtype == TokenDType.UInt16)
        {
            var src = new ReadOnlySpan<ushort>((ushort*)_base + start, destination.Length);
            for (int i = 0; i < src.Length; i++) destination[i] = src[i];
        }
        else
        {
            var src = new ReadOnlySpan<uint>((uint*)_base + start, destination.Length);
            for (int i = 0; i < src.Length; i++) destination[i] = src[i];
        }
    }

    /// <summary>Unmaps the file.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
