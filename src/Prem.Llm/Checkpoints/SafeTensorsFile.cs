using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Checkpoints;

/// <summary>
/// One open <c>.safetensors</c> file. <see cref="Open"/> reads and validates only the header; each
/// <see cref="Read"/> reads one tensor's byte range from disk straight into the new tensor's
/// storage, so a checkpoint is never held in memory twice. Reads are positional, so several threads
/// may read different tensors at once.
/// </summary>
/// <remarks>
/// Layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the data section.
/// Every rule is checked before anything is allocated from a length the file states: N against the
/// file size and <see cref="MaxHeaderBytes"/>; the JSON's shape; dtypes; shapes against byte ranges
/// with overflow-checked arithmetic; and that the ranges tile the data section with no overlap or gap
/// (as the reference implementation requires). Any violation is a <see cref="SafeTensorsFormatException"/>.
/// </remarks>
public sealed class SafeTensorsFile : IDisposable
{
    /// <summary>The largest header accepted, in bytes (100 MB, the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = SafeTensorsHeader.MaxHeaderBytes;

    private readonly SafeFileHandle _handle;
    private readonly Dictionary<string, SafeTensorInfo> _byName;
    private readonly Dictionary<ScalarType, Tensor> _mappings = [];
    private readonly Lock _mappingGate = new();

    private SafeTensorsFile(string path, SafeFileHandle handle, List<SafeTensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Path = path;
        _handle = handle;
        Tensors = tensors;
        Metadata = metadata;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The path the file was opened with.</summary>
    public string Path { get; }

    /// <summary>The tensors, in the order of their data in the file.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>The header's <c>__metadata__</c> (empty when absent), e.g. <c>{"format": "pt"}</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens <paramref name="path"/> and validates its header.</summary>
    /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors data is little-endian; this reader copies bytes without swapping.");
        }
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            var fileLength = RandomAccess.GetLength(handle);
            if (fileLength < 8)
            {
                throw new SafeTensorsFormatException(path, null, $"the file is {fileLength} bytes, too short for the 8-byte header length.");
            }
            Span<byte> prefix = stackalloc byte[8];
            ReadExactly(handle, prefix, 0, path, null);
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > (ulong)MaxHeaderBytes)
            {
                throw new SafeTensorsFormatException(path, null, $"the header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit.");
            }
            if ((long)headerLength > fileLength - 8)
            {
                throw new SafeTensorsFormatException(path, null,
                    $"the header length {headerLength} exceeds the {fileLength - 8} bytes that follow it (truncated file?).");
            }
            var header = new byte[headerLength];
            ReadExactly(handle, header, 8, path, null);
            var dataStart = 8 + (long)headerLength;
            var (tensors, metadata) = SafeTensorsHeader.Parse(path, header, dataStart, fileLength - dataStart);
            return new SafeTensorsFile(path, handle, tensors, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Whether the file holds a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The header entry of tensor <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is no such tensor.</exception>
    public SafeTensorInfo GetInfo(string name) =>
        _byName.TryGetValue(name, out var info) ? info : throw new KeyNotFoundException($"No tensor '{name}' in '{Path}'.");

    /// <summary>
    /// Reads tensor <paramref name="name"/> into a new CPU tensor, converted to <paramref name="dtype"/>
    /// when given (e.g. stored BF16 → <see cref="ScalarType.Float32"/>); otherwise kept as stored.
    /// </summary>
    /// <exception cref="KeyNotFoundException">There is no such tensor.</exception>
    /// <exception cref="SafeTensorsFormatException">The data cannot be read (the file shrank) or holds an invalid boolean.</exception>
    public Tensor Read(string name, ScalarType? dtype = null)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        var info = GetInfo(name);
        var stored = info.DType.ToScalarType();
        var tensor = torch.empty(info.Shape, stored);
        try
        {
            FillFromFile(tensor, info);
            if (dtype is { } wanted && wanted != stored)
            {
                var converted = tensor.to_type(wanted);
                tensor.Dispose();
                return converted;
            }
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads tensor <paramref name="name"/> into the existing <paramref name="destination"/> (e.g. a
    /// model parameter), converting dtype and device as needed. A contiguous CPU destination of the
    /// stored dtype is filled straight from disk with no intermediate copy.
    /// </summary>
    /// <exception cref="ArgumentException">The destination's shape differs from the stored shape.</exception>
    public void ReadInto(string name, Tensor destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        var info = GetInfo(name);
        if (!destination.shape.SequenceEqual(info.Shape))
        {
            throw new ArgumentException(
                $"Tensor '{name}' in '{Path}' has shape [{string.Join(", ", info.Shape)}]; the destination has [{string.Join(", ", destination.shape)}].",
                nameof(destination));
        }
        using var _ = torch.no_grad();
        if (destination.device_type == DeviceType.CPU && destination.dtype == info.DType.ToScalarType() && destination.is_contiguous())
        {
            FillFromFile(destination, info);
            return;
        }
        using var staged = Read(name);
        destination.copy_(staged);
    }

    /// <summary>
    /// Points <paramref name="destination"/> (a CPU tensor of the stored dtype and shape, e.g. a new
    /// model's parameter) at the tensor's bytes in a private memory map of the file: nothing is read or
    /// copied now; pages come from the OS file cache when first touched, and stay file-backed until
    /// written (copy-on-write: writes never reach the file). Its old storage is released. Returns false,
    /// changing nothing, when the tensor cannot be mapped (another dtype or device, misaligned data, BOOL
    /// data that must be checked, no elements); read it with <see cref="ReadInto"/> then.
    /// </summary>
    /// <remarks>
    /// The mapping lives as long as any tensor using it. A file replaced atomically (as
    /// <c>SafeTensorsWriter</c> writes) leaves the mapping intact; one truncated in place while mapped
    /// faults the process on the next touch of a lost page, as with any memory-mapped checkpoint.
    /// </remarks>
    internal bool TryMapInto(string name, Tensor destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        var info = GetInfo(name);
        var stored = info.DType.ToScalarType();
        long itemSize = info.DType.ElementSize();
        if (destination.device_type != DeviceType.CPU || destination.dtype != stored || info.DType == SafeTensorDType.Bool
            || info.Length == 0 || info.Offset % itemSize != 0 || !destination.shape.SequenceEqual(info.Shape))
        {
            return false;
        }
        var mapping = Mapping(stored, itemSize);
        using var flat = mapping.narrow(0, info.Offset / itemSize, info.ElementCount);
        using var view = flat.view(info.Shape);
        using var _ = torch.no_grad();
        destination.set_(view);
        return true;
    }

    /// <summary>The whole file mapped (privately) as elements of <paramref name="dtype"/>, made on first use.</summary>
    private Tensor Mapping(ScalarType dtype, long itemSize)
    {
        lock (_mappingGate)
        {
            if (!_mappings.TryGetValue(dtype, out var mapping))
            {
                long elements = RandomAccess.GetLength(_handle) / itemSize;
                mapping = torch.from_file(Path, shared: false, size: elements, dtype: dtype).DetachFromDisposeScope();
                _mappings[dtype] = mapping;
            }
            return mapping;
        }
    }

    /// <summary>Closes the file (tensors mapped from it keep their mapping).</summary>
    public void Dispose()
    {
        lock (_mappingGate)
        {
            foreach (var mapping in _mappings.Values) mapping.Dispose();
            _mappings.Clear();
        }
        _handle.Dispose();
    }

    private void FillFromFile(Tensor tensor, SafeTensorInfo info)
    {
        var isBool = info.DType == SafeTensorDType.Bool;
        TensorBytes.ForEachChunk(tensor, info.Length, (chunk, offset) =>
        {
            ReadExactly(_handle, chunk, info.Offset + offset, Path, info.Name);
            // Torch assumes booleans are 0 or 1; any other byte would make comparisons misbehave.
            if (isBool && chunk.IndexOfAnyExcept((byte)0, (byte)1) >= 0)
            {
                throw new SafeTensorsFormatException(Path, info.Name, "a BOOL element is neither 0 nor 1.");
            }
        });
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string path, string? tensor)
    {
        while (buffer.Length > 0)
        {
            var n = RandomAccess.Read(handle, buffer, offset);
            if (n == 0)
            {
                throw new SafeTensorsFormatException(path, tensor, $"the file ends at byte {offset}, before the data it declares.");
            }
            buffer = buffer[n..];
            offset += n;
        }
    }
}
