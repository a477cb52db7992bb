using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Checkpoints;

/// <summary>Paths to the copied reference data, temp folders, and independent byte-level helpers.</summary>
internal static class CheckpointTestFiles
{
    /// <summary>tests/Prem.Llm.Tests/Data, found by walking up from the test binary (no copy step needed).</summary>
    public static string DataDirectory { get; } = FindData();

    public static string TinyGqa => Path.Combine(DataDirectory, "tiny-gqa", "model.safetensors");

    public static string Stories260K => Path.Combine(DataDirectory, "stories260K", "model.safetensors");

    private static string FindData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Prem.Llm.Tests", "Data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("tests/Prem.Llm.Tests/Data not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A fresh empty folder under the test run's temp root, removed at process exit.</summary>
    public static string NewTempDirectory() => TestData.TempDirectory();

    /// <summary>Builds a file from raw parts: header length (overridable), header text, data bytes.</summary>
    public static byte[] RawFile(string header, byte[] data, ulong? headerLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }

    /// <summary>Parses a header with System.Text.Json's DOM, independently of the library's reader.</summary>
    public static (JsonDocument Header, long DataStart) ParseHeader(byte[] file)
    {
        var n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        return (JsonDocument.Parse(file.AsMemory(8, n)), 8 + n);
    }

    /// <summary>A tensor of <paramref name="dtype"/> filled with random bit patterns (NaNs and subnormals included).</summary>
    public static Tensor RandomBits(long[] shape, ScalarType dtype, Random random)
    {
        var t = torch.empty(shape, dtype);
        if (t.numel() > 0)
        {
            random.NextBytes(t.bytes);
        }
        return t;
    }

    /// <summary>The raw bytes of a tensor's contiguous CPU copy.</summary>
    public static byte[] Bytes(Tensor t)
    {
        using var c = t.contiguous();
        return c.numel() == 0 ? [] : c.bytes.ToArray();
    }
}
