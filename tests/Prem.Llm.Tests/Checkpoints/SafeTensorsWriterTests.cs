using System.Buffers.Binary;
using System.Text.Json;
using Prem.Llm.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Checkpoints;

public class SafeTensorsWriterTests
{
    private static readonly long[][] _shapes =
    [
        [], [0], [1], [7], [3, 5], [2, 0, 4], [1, 1, 1, 13], [17, 3], [2, 3, 5, 7],
    ];

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public void RoundTrip_IsBitExact_ForRandomBitsAndOddShapes(ScalarType dtype)
    {
        var random = new Random(1234 + (int)dtype);
        var tensors = new Dictionary<string, Tensor>();
        for (var i = 0; i < _shapes.Length; i++)
        {
            tensors[$"t{i}.weight"] = CheckpointTestFiles.RandomBits(_shapes[i], dtype, random);
        }
        var path = Path.Combine(CheckpointTestFiles.NewTempDirectory(), "rt.safetensors");
        SafeTensorsWriter.Write(path, tensors);

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(tensors.Count, file.Tensors.Count);
        foreach (var (name, original) in tensors)
        {
            using var back = file.Read(name);
            Assert.Equal(dtype, back.dtype);
            Assert.Equal(original.shape, back.shape);
            Assert.Equal(CheckpointTestFiles.Bytes(original), CheckpointTestFiles.Bytes(back));
            original.Dispose();
        }
    }

    [Theory]
    [InlineData("stories260K")]
    [InlineData("tiny-gqa")]
    public void Rewriting_AReferenceFile_ReproducesItByteForByte(string folder)
    {
        // Both files were written by independent Python code (compact JSON, names sorted, space
        // padding), the same layout the reference writer produces for single-dtype checkpoints.
        var original = Path.Combine(CheckpointTestFiles.DataDirectory, folder, "model.safetensors");
        var copy = Path.Combine(CheckpointTestFiles.NewTempDirectory(), "model.safetensors");
        using (var file = SafeTensorsFile.Open(original))
        {
            var tensors = file.Tensors.Select(t => new KeyValuePair<string, Tensor>(t.Name, file.Read(t.Name))).ToList();
            SafeTensorsWriter.Write(copy, tensors);
            tensors.ForEach(kv => kv.Value.Dispose());
        }
        Assert.Equal(File.ReadAllBytes(original), File.ReadAllBytes(copy));
    }

    [Fact]
    public void Header_IsPaddedWithSpacesTo8Bytes_AndLaysOutBySizeThenName()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["b"] = torch.ones(3, ScalarType.Int8),
            ["a"] = torch.ones(3, ScalarType.BFloat16),
            ["c"] = torch.ones(5, ScalarType.Float32),
            ["d"] = torch.ones(2, ScalarType.Int64),
        };
        var path = Path.Combine(CheckpointTestFiles.NewTempDirectory(), "h.safetensors");
        SafeTensorsWriter.Write(path, tensors);

        var raw = File.ReadAllBytes(path);
        var n = (int)BinaryPrimitives.ReadUInt64LittleEndian(raw);
        Assert.Equal(0, n % 8);
        var text = System.Text.Encoding.UTF8.GetString(raw, 8, n);
        Assert.Equal(text.TrimEnd(' ').Length + text.Length - text.TrimEnd(' ').Length, n);
        Assert.EndsWith("}", text.TrimEnd(' '));

        using var doc = JsonDocument.Parse(text);
        long Begin(string name) => doc.RootElement.GetProperty(name).GetProperty("data_offsets")[0].GetInt64();
        // 8-byte elements first, then 4, 2, 1: every tensor lands on a multiple of its element size.
        Assert.Equal(0, Begin("d"));
        Assert.Equal(16, Begin("c"));
        Assert.Equal(36, Begin("a"));
        Assert.Equal(42, Begin("b"));
        Assert.Equal(8 + n + 45, raw.Length);
        Assert.Equal("pt", doc.RootElement.GetProperty("__metadata__").GetProperty("format").GetString());
        Assert.Equal("I8", doc.RootElement.GetProperty("b").GetProperty("dtype").GetString());
        foreach (var t in tensors.Values)
        {
            t.Dispose();
        }
    }

    [Fact]
    public void Write_NonContiguousInput_StoresTheLogicalValues()
    {
        using var source = torch.arange(12, ScalarType.Float32).reshape(3, 4);
        using var transposed = source.t();
        var path = Path.Combine(CheckpointTestFiles.NewTempDirectory(), "nc.safetensors");
        SafeTensorsWriter.Write(path, [new("x", transposed)]);

        using var file = SafeTensorsFile.Open(path);
        using var back = file.Read("x");
        Assert.Equal([4L, 3], back.shape);
        // Row-major [4,3] of the transpose: x[i,j] = source[j,i] = 4j + i.
        var values = back.data<float>().ToArray();
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                Assert.Equal(4 * j + i, values[i * 3 + j]);
            }
        }
    }

    [Fact]
    public void Write_WithDtype_ConvertsFloatsOnlyAndMatchesTorchRounding()
    {
        using var weights = torch.randn(5, 7, generator: torch.manual_seed(3));
        using var ids = torch.arange(4, ScalarType.Int64);
        var path = Path.Combine(CheckpointTestFiles.NewTempDirectory(), "cv.safetensors");
        SafeTensorsWriter.Write(path, [new("w", weights), new("ids", ids)], dtype: ScalarType.BFloat16);

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(SafeTensorDType.BF16, file.GetInfo("w").DType);
        Assert.Equal(SafeTensorDType.I64, file.GetInfo("ids").DType);
        using var back = file.Read("w");
        using var expected = weights.to_type(ScalarType.BFloat16);
        Assert.Equal(CheckpointTestFiles.Bytes(expected), CheckpointTestFiles.Bytes(back));
    }

    [Fact]
    public void Write_CustomMetadata_IsStoredAsGiven()
    {
        using var x = torch.zeros(2);
        var path = Path.Combine(CheckpointTestFiles.NewTempDirectory(), "m.safetensors");
        SafeTensorsWriter.Write(path, [new("x", x)], new Dictionary<string, string> { ["format"] = "pt", ["step"] = "42" });
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal("42", file.Metadata["step"]);
        Assert.Equal(2, file.Metadata.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("__metadata__")]
    public void Write_ForbiddenName_ThrowsArgumentException(string name)
    {
        using var x = torch.zeros(2);
        var path = Path.Combine(CheckpointTestFiles.NewTempDirectory(), "x.safetensors");
        Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write(path, [new(name, x)]));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Write_DuplicateName_ThrowsAndLeavesNoFile()
    {
        using var x = torch.zeros(2);
        var dir = CheckpointTestFiles.NewTempDirectory();
        var path = Path.Combine(dir, "x.safetensors");
        Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write(path, [new("x", x), new("x", x)]));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
    }

    [Fact]
    public void Write_ReplacesAnExistingFileWholly()
    {
        var path = Path.Combine(CheckpointTestFiles.NewTempDirectory(), "r.safetensors");
        using var big = torch.zeros(1000);
        using var small = torch.ones(3);
        SafeTensorsWriter.Write(path, [new("big", big)]);
        SafeTensorsWriter.Write(path, [new("small", small)]);
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(["small"], file.Tensors.Select(t => t.Name));
        Assert.Single(Directory.EnumerateFiles(Path.GetDirectoryName(path)!));
    }
}
